package standin_test

import (
	"encoding/json"
	"os"
	"strconv"
)

func readLocalParams() (map[string]map[string]string, error) {
	b, err := os.ReadFile("../../workflows/params/local.json")
	if err != nil {
		return nil, err
	}
	var v map[string]map[string]string
	return v, json.Unmarshal(b, &v)
}

func itoa(n int) string { return strconv.Itoa(n) }
