package main

import (
	"testing"

	"cunji/models"
)

// The evidence quotas come from serve's flags, with the models' defaults.
func TestServeEvidenceQuotas(t *testing.T) {
	c, err := serveConfig(nil)
	want := models.EvidenceLimits{PerVersion: models.DefaultEvidencePerVersion,
		VillageBytes: models.DefaultEvidenceVillageBytes, TotalBytes: models.DefaultEvidenceTotalBytes}
	if err != nil || c.evidence != want {
		t.Fatalf("defaults: %+v %v", c.evidence, err)
	}
	c, err = serveConfig([]string{"--evidence-per-version", "3", "--evidence-village-mb", "50", "--evidence-total-gb", "2"})
	if want := (models.EvidenceLimits{PerVersion: 3, VillageBytes: 50 << 20, TotalBytes: 2 << 30}); err != nil || c.evidence != want {
		t.Fatalf("set: %+v %v", c.evidence, err)
	}
	for _, bad := range [][]string{{"--evidence-per-version", "0"}, {"--evidence-village-mb", "-1"}, {"--evidence-total-gb", "0"}} {
		if _, err := serveConfig(bad); err == nil {
			t.Fatalf("%v accepted", bad)
		}
	}
}
