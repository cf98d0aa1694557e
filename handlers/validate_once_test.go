package handlers

import (
	"fmt"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

// TestBindersOnlyConvert: the JSON binders convert types and leave the bounds to
// the model's Validate, so the API answers with the model's own message.
func TestBindersOnlyConvert(t *testing.T) {
	en := newEnv(t)
	want := (&models.WorkshopVersion{Name: "x", Type: models.WorkshopTypes[0], State: models.WorkshopStates[0], Employed: 200_000}).Validate()
	code, body := en.api("POST", "/api/v1/villages/"+seeds.FixA1+"/workshops", en.token("v1"),
		map[string]any{"name": "甲村工坊", "type": models.WorkshopTypes[0], "state": models.WorkshopStates[0], "employed": 200_000})
	fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
	if code != 422 || fields["employed"] != want.(*models.ValidationError).Fields["employed"] {
		t.Fatalf("employed 200000: %d %v, want %v", code, body, want)
	}
	code, body = en.api("POST", "/api/v1/villages/"+seeds.FixA1+"/workshops", en.token("v1"),
		map[string]any{"name": "甲村工坊", "type": models.WorkshopTypes[0], "state": models.WorkshopStates[0], "employed": 1.5})
	if code != 422 || fmt.Sprint(body["error"].(map[string]any)["fields"].(map[string]any)["employed"]) == "" {
		t.Fatalf("employed 1.5: %d %v", code, body)
	}
}
