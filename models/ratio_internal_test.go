package models

import (
	"math"
	"math/big"
	"testing"
)

// ratio is big.NewRat's value in its form (lowest terms, positive denominator).
func TestRatioIsNewRat(t *testing.T) {
	vals := []int64{0, 1, -1, 2, -2, 3, 6, 7, 10, 12, 387, 10000, 25547, 620572, 1 << 40, -(1 << 40),
		math.MaxInt64, math.MinInt64 + 1, math.MinInt64}
	for _, n := range vals {
		for _, d := range vals {
			if d == 0 {
				continue
			}
			got, want := ratio(n, d), big.NewRat(n, d)
			if got.Cmp(want) != 0 || got.Num().Cmp(want.Num()) != 0 || got.Denom().Cmp(want.Denom()) != 0 ||
				got.FloatString(6) != want.FloatString(6) || got.String() != want.String() {
				t.Errorf("ratio(%d, %d) = %s, want %s", n, d, got, want)
			}
		}
	}
}

// The counts by level reach the maps, and none stays behind to tell two equal
// groups apart.
func TestFiguresLevelsFinish(t *testing.T) {
	var f Figures
	f.add(aggRow{Villages: 2, RegisterCounts: RegisterCounts{Rated: 2, Star1: 1, Star3: 1, NewStar2: 1, WStar0: 1, WStar4: 2}})
	f.add(aggRow{Villages: 1, RegisterCounts: RegisterCounts{Rated: 1, Star3: 1}})
	f.finish()
	if f.Star.ByLevel["1"] != 1 || f.Star.ByLevel["2"] != 0 || f.Star.ByLevel["3"] != 2 || len(f.Star.ByLevel) != 3 {
		t.Errorf("by level %v", f.Star.ByLevel)
	}
	if f.Star.NewByLevel["2"] != 1 || f.Star.New != 1 || len(f.Star.NewByLevel) != 3 {
		t.Errorf("new by level %v", f.Star.NewByLevel)
	}
	if f.WorkshopsByStar["0"] != 1 || f.WorkshopsByStar["4"] != 2 || len(f.WorkshopsByStar) != 2 {
		t.Errorf("workshops by star %v", f.WorkshopsByStar)
	}
	if f.levels != (levelCounts{}) {
		t.Errorf("levels left after finish: %+v", f.levels)
	}
	var none Figures
	none.finish()
	if none.WorkshopsByStar != nil || len(none.Star.ByLevel) != 3 {
		t.Errorf("empty group: %+v", none)
	}
}

// eachStreetTotal splits the streets' joined rows, and refuses a row without its code.
func TestEachStreetTotal(t *testing.T) {
	var got []string
	each := func(code, packed []byte) error { got = append(got, string(code)+"="+string(packed)); return nil }
	if err := eachStreetTotal([]byte("110101001:1,2;110101002:-3,4"), each); err != nil || len(got) != 2 ||
		got[0] != "110101001=1,2" || got[1] != "110101002=-3,4" {
		t.Errorf("got %v, %v", got, err)
	}
	got = nil
	if err := eachStreetTotal(nil, each); err != nil || got != nil {
		t.Errorf("none: %v, %v", got, err)
	}
	if err := eachStreetTotal([]byte("1,2"), each); err == nil {
		t.Error("a row without its code is read")
	}
}
