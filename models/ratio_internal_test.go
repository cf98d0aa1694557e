package models

import (
	"encoding/json"
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

// The counts by level write the JSON the maps wrote: every level, keyed by its
// number.
func TestLevelCountsJSON(t *testing.T) {
	var f Figures
	f.add(aggRow{Villages: 2, RegisterCounts: RegisterCounts{Rated: 2, Star1: 1, Star3: 1, NewStar2: 1, WStar0: 1, WStar4: 2}})
	f.add(aggRow{Villages: 1, RegisterCounts: RegisterCounts{Rated: 1, Star3: 1}})
	f.finish()
	for _, c := range []struct {
		v    any
		want string
	}{
		{f.Star.ByLevel, `{"1":1,"2":0,"3":2}`},
		{f.Star.NewByLevel, `{"1":0,"2":1,"3":0}`},
		{f.WorkshopsByStar, `{"0":1,"1":0,"2":0,"3":0,"4":2,"5":0}`},
		{Figures{}.Star.ByLevel, `{"1":0,"2":0,"3":0}`},
	} {
		if b, err := json.Marshal(c.v); err != nil || string(b) != c.want {
			t.Errorf("%v: %s (%v), want %s", c.v, b, err, c.want)
		}
	}
}

// eachTotal splits the joined rows, and refuses a row without its code.
func TestEachStreetTotal(t *testing.T) {
	var got []string
	each := func(code, packed []byte) error { got = append(got, string(code)+"="+string(packed)); return nil }
	if err := eachTotal([]byte("110101001:1,2;110101002:-3,4"), each); err != nil || len(got) != 2 ||
		got[0] != "110101001=1,2" || got[1] != "110101002=-3,4" {
		t.Errorf("got %v, %v", got, err)
	}
	got = nil
	if err := eachTotal(nil, each); err != nil || got != nil {
		t.Errorf("none: %v, %v", got, err)
	}
	if err := eachTotal([]byte("1,2"), each); err == nil {
		t.Error("a row without its code is read")
	}
}

// joinedStreets reads names holding the separator and multi-byte text, and
// refuses a value cut short.
func TestJoinedStreets(t *testing.T) {
	got, sorted, err := joinedStreets("9:110101002" + "10:海门:街" + "6:110101" + "9:110101001" + "0:" + "6:110101")
	want := []Street{{Code: "110101002", Name: "海门:街", DistrictCode: "110101"}, {Code: "110101001", DistrictCode: "110101"}}
	if err != nil || sorted || len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %+v, sorted %v, %v", got, sorted, err)
	}
	if got, sorted, err := joinedStreets(""); err != nil || len(got) != 0 || !sorted {
		t.Errorf("none: %+v, %v, %v", got, sorted, err)
	}
	for _, bad := range []string{"9:1101", "x:1", "3:abc3:de", "-1:a"} {
		if _, _, err := joinedStreets(bad); err == nil {
			t.Errorf("%q is read", bad)
		}
	}
}
