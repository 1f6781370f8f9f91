//go:build race

package eproc

// Under the race detector the differential tests run one case per coding
// system: the race run is not about decoding, and Emacs's time counts.
const emacsCasesDefault, emacsEncCasesDefault = 1, 1

// TestChunking under the race detector: single splits within 4 bytes of
// each end of a long input (20 without it) and 2 random splittings (10).
const chunkingEnds, chunkingRandom = 4, 2

// TestValidCountEverySequence under the race detector: sequences of up to
// three bytes, not four.
const validCountFourBytes = false
