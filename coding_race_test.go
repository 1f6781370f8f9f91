//go:build race

package eproc

// Under the race detector the differential tests run one case per coding
// system: the race run is not about decoding, and Emacs's time counts.
const emacsCasesDefault, emacsEncCasesDefault = 1, 1
