//go:build !race

package eproc

// The differential tests' cases per coding system (and end-of-line
// variant); see coding_race_test.go.
const emacsCasesDefault, emacsEncCasesDefault = 3, 2
