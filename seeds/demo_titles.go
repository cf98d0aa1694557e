package seeds

import (
	"fmt"
	"math/rand/v2"
	"time"

	"cunji/models"
)

// demoTitles invents the district's namings of 2023–2025, following the plan: in
// 2023, 32 new 星级美丽乡村 (26 one-star, 6 three-star); each later year more
// villages named and some raised a level; 和美乡村 named from 2023 on; one naming
// revoked after a 复核. 2026's namings come at the year's end, so none yet. It also
// gives the titles each village holds at the end of each year.
// The revocations name the index of the naming they revoke in the first list.
func demoTitles(rng *rand.Rand, villages []models.Village) ([]models.TitleEntry, map[int]models.TitleEntry, map[string]map[int]models.Held) {
	order := rng.Perm(len(villages))
	var out []models.TitleEntry
	held := map[string]map[int]models.Held{}
	level := map[string]int{}
	hemei := map[string]bool{}
	doc := 0
	revocations := map[int]models.TitleEntry{}
	name := func(v *models.Village, title string, lvl, year int) int {
		doc++
		on := time.Date(year, 12, 10+rng.IntN(15), 0, 0, 0, 0, models.Shanghai)
		e := models.TitleEntry{VillageCode: v.Code, Kind: models.TitleNamed, Title: title, Level: lvl, Year: year, On: on.UTC(),
			DocumentNo: fmt.Sprintf("椒美丽办〔%d〕%d号", year, 10+doc%40), RecordedAt: on.Add(72 * time.Hour).UTC(),
			RecordedBy: "椒江区农业农村局（演示）"}
		out = append(out, e)
		return len(out) - 1
	}
	active := func(i, year int) *models.Village {
		v := &villages[order[i]]
		if !v.ActiveIn(year) {
			return nil
		}
		return v
	}
	// new one-star, new three-star, raised a level, new 和美
	plan := map[int][4]int{2023: {26, 6, 0, 8}, 2024: {30, 2, 10, 12}, 2025: {28, 3, 14, 15}}
	next := 0
	revoke := -1
	for year := 2023; year <= 2025; year++ {
		p := plan[year]
		for k := 0; k < p[0]+p[1] && next < len(order); next++ {
			v := active(next, year)
			if v == nil {
				continue
			}
			lvl := 1
			if k >= p[0] {
				lvl = 3
			}
			name(v, models.TitleStar, lvl, year)
			level[v.Code] = lvl
			k++
		}
		raised := 0
		for i := 0; i < next && raised < p[2]; i++ {
			v := active(i, year)
			if v == nil || level[v.Code] == 0 || level[v.Code] >= 3 || rng.Float64() < 0.5 ||
				(revoke >= 0 && out[revoke].VillageCode == v.Code) {
				continue
			}
			e := name(v, models.TitleStar, level[v.Code]+1, year)
			level[v.Code]++
			raised++
			if year == 2024 && revoke < 0 {
				revoke = e
			}
		}
		named := 0
		for i := 0; i < next && named < p[3]; i++ {
			v := active(i, year)
			if v == nil || hemei[v.Code] || level[v.Code] == 0 || rng.Float64() < 0.6 {
				continue
			}
			name(v, models.TitleHemei, 0, year)
			hemei[v.Code] = true
			named++
		}
		if year == 2025 && revoke >= 0 {
			// A raised level did not pass its 复核 in 2025: it falls back a level.
			r := out[revoke]
			revocations[revoke] = models.TitleEntry{VillageCode: r.VillageCode, Kind: models.TitleRevoked, Title: r.Title,
				Level: r.Level, Year: r.Year, On: time.Date(2025, 6, 18, 0, 0, 0, 0, models.Shanghai).UTC(),
				Reason: "2025 年复核未达到该星级标准", RecordedAt: time.Date(2025, 6, 20, 9, 0, 0, 0, models.Shanghai).UTC(),
				RecordedBy: "椒江区农业农村局（演示）"}
			level[r.VillageCode]--
		}
		for code, l := range level {
			if held[code] == nil {
				held[code] = map[int]models.Held{}
			}
			held[code][year] = models.Held{Star: l, Hemei: hemei[code]}
		}
	}
	for code := range held {
		held[code][2026] = held[code][2025]
	}
	return out, revocations, held
}
