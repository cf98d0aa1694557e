package seeds

import (
	"math/rand/v2"
	"testing"

	"cunji/models"
)

// TestSyntheticIndicatorsAside: a district's catalogue is queued without counting
// toward the flush threshold, so the rest of the synthetic data is flushed — and
// the random draws its workshops make at a flush — at the same points with or
// without the catalogue (at scale, where a flush falls mid-way).
func TestSyntheticIndicatorsAside(t *testing.T) {
	w := newBatchWriter(nil)
	villages := []models.Village{{Code: "110101001201", ActiveFrom: 2000}, {Code: "110101001202", ActiveFrom: 2000}}
	syntheticIndicators(w, rand.New(rand.NewPCG(1, 2)), &SyntheticStats{}, "110101", villages, 20, 1)
	if w.pending != 0 || len(w.withID) != 20 {
		t.Fatalf("the catalogue counted %d rows toward a flush (%d queued)", w.pending, len(w.withID))
	}
}
