//go:build !race

package eproc

// The differential tests' cases per coding system (and end-of-line
// variant); see coding_race_test.go.
const emacsCasesDefault, emacsEncCasesDefault = 3, 2

// TestChunking's single splits near each end of a long input, and its
// random splittings; see coding_race_test.go.
const chunkingEnds, chunkingRandom = 20, 10

// TestValidCountEverySequence: sequences of up to four bytes.
const validCountFourBytes = true
