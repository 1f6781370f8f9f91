// Package eproc gives Go programs GNU Emacs's process objects.
package eproc
