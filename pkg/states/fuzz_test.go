package states_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states"
)

// FuzzRunNeverPanics runs whatever definition and input New accepts, with
// tasks that echo their parameters, and asks only that nothing panics or
// hangs: a bad definition is refused by New, a bad input by Run, and
// everything else ends in a verdict. The seeds are the conformance cases.
func FuzzRunNeverPanics(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "conformance", "*", "*.json"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var c struct {
			Definition json.RawMessage `json:"definition"`
			Input      json.RawMessage `json:"input"`
		}
		if json.Unmarshal(b, &c) == nil {
			f.Add([]byte(c.Definition), []byte(c.Input))
		}
	}
	f.Fuzz(func(t *testing.T, def, input []byte) {
		sm, err := asl.Parse(def)
		if err != nil {
			return
		}
		m, err := states.New(sm, states.WithTasks(echoTasks), states.WithClock(states.NewVirtualClock(epoch)))
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		ex, err := m.Run(ctx, input)
		if err != nil {
			return
		}
		switch ex.Status {
		case states.StatusSucceeded, states.StatusFailed, states.StatusTimedOut, states.StatusAborted:
		default:
			t.Fatalf("no verdict: %q", ex.Status)
		}
		if ex.Status == states.StatusSucceeded && !json.Valid(ex.Output) {
			t.Fatalf("output is not JSON: %s", ex.Output)
		}
	})
}
