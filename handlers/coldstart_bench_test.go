package handlers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/stepforge/stepforge/pkg/build"
	"github.com/stepforge/stepforge/pkg/runtimeapi"
)

// coldStartSubjects are the handlers whose init the issue budgets, beside the
// two baselines built the same way.
var coldStartSubjects = []struct{ dir, name string }{
	{"handlers/testdata/baseline", "hello"},
	{"handlers/testdata/baseline", "sdkonly"},
	{"handlers", "pizzachecker"},
	{"handlers", "webhookinitiator"},
}

// BenchmarkColdStart starts each function's process through the Runtime API
// host and measures process start to first /next, interleaving the functions
// round by round so machine noise hits all alike. Run it with
// -benchtime=20x for the median of 20; each reports ms-init-<name>.
func BenchmarkColdStart(b *testing.B) {
	paths := map[string]string{}
	for _, s := range coldStartSubjects {
		arts, err := build.Build(context.Background(), build.Options{
			Root: "..", Dir: s.dir, Handlers: []string{s.name},
			Out: filepath.Join(b.TempDir(), "out"), GOARCH: runtime.GOARCH, BinariesOnly: true,
		})
		if err != nil {
			b.Fatal(err)
		}
		paths[s.name] = arts[0].Binary
	}
	inits := map[string][]time.Duration{}
	ctx := context.Background()
	for b.Loop() {
		for _, s := range coldStartSubjects {
			in, err := runtimeapi.Start(runtimeapi.Function{Name: s.name, Path: paths[s.name]})
			if err != nil {
				b.Fatal(err)
			}
			d, err := in.Ready(ctx)
			_ = in.Close()
			if err != nil {
				b.Fatal(err)
			}
			inits[s.name] = append(inits[s.name], d)
		}
	}
	for _, s := range coldStartSubjects {
		b.ReportMetric(float64(median(inits[s.name]).Microseconds())/1000, "ms-init-"+s.name)
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkZipSize builds every handler and the bare baseline for Lambda
// (linux/arm64) and reports each deployment package's size in MiB.
func BenchmarkZipSize(b *testing.B) {
	out := b.TempDir()
	var arts []build.Artifact
	for _, dir := range []string{"handlers", "handlers/testdata/baseline"} {
		a, err := build.Build(context.Background(), build.Options{Root: "..", Dir: dir, Out: filepath.Join(out, filepath.Base(dir))})
		if err != nil {
			b.Fatal(err)
		}
		arts = append(arts, a...)
	}
	for b.Loop() {
	}
	for _, a := range arts {
		st, err := os.Stat(a.Zip)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(st.Size())/(1<<20), fmt.Sprintf("MiB-zip-%s", a.Name))
	}
}
