package main

import (
	"encoding/json"
	"net/http"
)

// openVersion is what the durability and fault tests read back of a village's open
// 2027 draft: its version number and the amount last saved.
type openVersion struct {
	Version     int
	BusinessFen int64 `json:"business_fen"`
}

// openDraft reads the open 2027 draft of a village through the API (nil when there
// is none).
func openDraft(client *http.Client, addr, tok, village string) (*openVersion, error) {
	req, err := http.NewRequest("GET", "http://"+addr+"/api/v1/villages/"+village+"/reports/2027", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var rep struct{ Open *openVersion }
	if err := json.NewDecoder(res.Body).Decode(&rep); err != nil {
		return nil, err
	}
	return rep.Open, nil
}
