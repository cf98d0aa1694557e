package seeds

import (
	"fmt"
	"math/rand/v2"
	"time"

	"cunji/models"
)

// SyntheticIndicatorYear is the year the synthetic indicators have values for: the
// year `cunji bench rollup` rolls up by default. One year keeps the 620,572-village
// data within a few minutes (12 million values).
const SyntheticIndicatorYear = 2025

// syntheticIndicatorSpecs are the kinds of the synthetic catalogue, repeated to
// make up the number asked: yes/no counted and as a share, a count and an amount
// summed, and a title the district names.
var syntheticIndicatorSpecs = []struct {
	kind, unit, enteredBy, rollup string
}{
	{models.KindYesNo, "个", models.EnteredByVillage, models.RollupCountYes},
	{models.KindYesNo, "", models.EnteredByVillage, models.RollupShare},
	{models.KindCount, "户", models.EnteredByVillage, models.RollupSum},
	{models.KindAmount, "", models.EnteredByStreet, models.RollupSum},
	{models.KindTitle, "个", models.EnteredByDistrict, models.RollupCountYes},
}

// syntheticIndicators queues a district's catalogue of k indicators and, once each
// has its id, its values of SyntheticIndicatorYear for the district's villages
// active then: about 85% approved (one in twenty of them corrected by a second
// approved version), approved from February of the year on, so that an instant
// within the year sees only some of them; some villages with a draft or a
// submission open. rng is the indicators' own, so that the rest of the synthetic
// data stays the same with or without them.
func syntheticIndicators(w *batchWriter, rng *rand.Rand, st *SyntheticStats, dcode string, villages []models.Village, k int, user uint) {
	y := SyntheticIndicatorYear
	for i := 0; i < k; i++ {
		sp := syntheticIndicatorSpecs[i%len(syntheticIndicatorSpecs)]
		d := &models.Indicator{DistrictCode: dcode, Code: fmt.Sprintf("syn_%02d", i+1), Name: fmt.Sprintf("合成指标%02d", i+1),
			Kind: sp.kind, Unit: sp.unit, EnteredBy: sp.enteredBy, FromYear: models.FirstYear, Rollup: sp.rollup,
			Version: 1, CreatedAt: models.SeedEpoch, UpdatedAt: models.SeedEpoch}
		yesShare := 0.2 + 0.6*rng.Float64()
		st.Indicators++
		w.addAside(d, func(id uint) {
			w.add(&models.IndicatorRevision{IndicatorID: id, Name: d.Name, Kind: d.Kind, Unit: d.Unit, EnteredBy: d.EnteredBy,
				FromYear: d.FromYear, Rollup: d.Rollup, Version: 1, ValidFrom: models.SeedEpoch, RecordedBy: "合成数据"})
			for j := range villages {
				v := &villages[j]
				if !v.ActiveIn(y) {
					continue
				}
				value := func() int64 {
					switch d.Kind {
					case models.KindCount:
						if rng.Float64() < 1-yesShare {
							return 0
						}
						return int64(1 + rng.IntN(40))
					case models.KindAmount:
						return int64(rng.IntN(2_000_000)) * 100
					}
					return one(rng.Float64() < yesShare)
				}
				seq := 0
				at := time.Date(y, 2, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(300*24*60)) * time.Minute)
				if rng.IntN(100) < 85 {
					seq++
					w.add(syntheticValue(id, v.Code, y, seq, models.StatusApproved, value(), at, user))
					if rng.IntN(20) == 0 {
						seq++
						w.add(syntheticValue(id, v.Code, y, seq, models.StatusApproved, value(), at.Add(time.Duration(10+rng.IntN(50))*24*time.Hour), user))
					}
				}
				if d.EnteredBy == models.EnteredByVillage && rng.IntN(40) == 0 {
					status := models.StatusDraft
					if rng.IntN(2) == 0 {
						status = models.StatusSubmitted
					}
					seq++
					w.add(syntheticValue(id, v.Code, y, seq, status, value(), at.Add(70*24*time.Hour), user))
				}
				st.IndicatorValues += seq
			}
		})
	}
}

func one(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// syntheticValue is one version of a village's value: approved at at, or open
// (a draft, or submitted at at).
func syntheticValue(id uint, village string, year, seq int, status string, value int64, at time.Time, user uint) *models.IndicatorValue {
	v := &models.IndicatorValue{IndicatorID: id, VillageCode: village, Year: year, Value: value, CreatedAt: at, UpdatedAt: at}
	v.Workflow = models.Workflow{Seq: seq, Version: seq * 3, CreatedByID: user, Status: status}
	switch status {
	case models.StatusApproved:
		sub := at.Add(-24 * time.Hour)
		rev := at
		v.SubmittedAt, v.ReviewedAt, v.ReviewerID, v.Reviewer = &sub, &rev, &user, "合成审核员"
	case models.StatusSubmitted:
		sub := at
		v.SubmittedAt = &sub
	}
	return v
}
