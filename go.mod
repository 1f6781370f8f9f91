module github.com/eproc/eproc

go 1.26.0

require (
	github.com/creack/pty v1.1.24
	golang.org/x/sys v0.49.0
	golang.org/x/text v0.43.0
)
