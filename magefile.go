//go:build mage

// Tasks of the stepforge monorepo. Run `go run mage.go -l` to list them.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/magefile/mage/mg"

	"github.com/stepforge/stepforge/gen"
	"github.com/stepforge/stepforge/pkg/build"
	"github.com/stepforge/stepforge/pkg/cfncheck"
	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/states/runner"
	"github.com/stepforge/stepforge/workflows"
)

// Default target when none is given.
var Default = Build

// Build compiles every handler for linux/arm64 and zips it reproducibly into build/lambda, then runs synth.
func Build(ctx context.Context) error {
	if _, err := build.Build(ctx, build.Options{Progress: os.Stdout}); err != nil {
		return err
	}
	return Synth()
}

// testTimeout bounds each test binary. The slowest package takes under a
// minute on a quiet 2-core machine; this leaves room for one three times
// slower (another build running beside it) and then some, and still stops
// a hung test long before CI's own limit.
const testTimeout = "8m"

// Test runs lint, the test suite with the race detector (cfn-lint included), then each fuzz target briefly (FUZZTIME, default 10s).
func Test(ctx context.Context) error {
	mg.CtxDeps(ctx, Lint)
	if err := run(ctx, "go", "test", "-race", "-count=1", "-timeout="+testTimeout, "./..."); err != nil {
		return err
	}
	return Fuzz(ctx)
}

// Fuzz runs every fuzz target in the repository for FUZZTIME (default 10s) each.
func Fuzz(ctx context.Context) error {
	fuzztime := os.Getenv("FUZZTIME")
	if fuzztime == "" {
		fuzztime = "10s"
	}
	targets, err := fuzzTargets(".")
	if err != nil {
		return err
	}
	for _, t := range targets {
		if err := fuzzOne(ctx, t, fuzztime); err != nil {
			return err
		}
	}
	return nil
}

// fuzzOne fuzzes one target. Go's fuzzing coordinator can fail a run with a
// bare "context deadline exceeded" when -fuzztime ends while a starved
// worker is mid-input (a race in the coordinator, seen on busy machines),
// having found nothing. A real finding always writes its input under
// testdata/fuzz/<target>/, so a failure that wrote none and says only that
// is reported and passed over; anything else fails.
func fuzzOne(ctx context.Context, t fuzzTarget, fuzztime string) error {
	corpus := filepath.Join(t.pkg, "testdata", "fuzz", t.name)
	before := listDir(corpus)
	var out bytes.Buffer
	args := []string{"test", "-run=^$", "-fuzz=^" + t.name + "$", "-fuzztime=" + fuzztime, "-timeout=" + testTimeout, t.pkg}
	fmt.Println("+ go", strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Stdout = io.MultiWriter(os.Stdout, &out)
	cmd.Stderr = io.MultiWriter(os.Stderr, &out)
	err := cmd.Run()
	if err == nil {
		return nil
	}
	if slices.Equal(before, listDir(corpus)) && strings.Contains(out.String(), "context deadline exceeded") && !strings.Contains(out.String(), "Failing input written") {
		fmt.Printf("fuzz %s: Go's fuzzing deadline race ended the run with no failing input written; not a finding\n", t.name)
		return nil
	}
	return err
}

// listDir names the files in dir, sorted; none when it does not exist.
func listDir(dir string) []string {
	entries, _ := os.ReadDir(dir)
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// Lint fails on unformatted files (gofmt), an untidy go.mod (go mod tidy -diff) and go vet findings.
func Lint(ctx context.Context) error {
	out, err := exec.CommandContext(ctx, "gofmt", "-l", ".").Output()
	if err != nil {
		return fmt.Errorf("gofmt: %w", err)
	}
	if files := strings.TrimSpace(string(out)); files != "" {
		return fmt.Errorf("gofmt would change:\n%s", files)
	}
	if err := run(ctx, "go", "mod", "tidy", "-diff"); err != nil {
		return fmt.Errorf("go.mod or go.sum is not tidy (run go mod tidy): %w", err)
	}
	return run(ctx, "go", "vet", "./...")
}

// Bench prints the budgeted figures: zip sizes, cold-start init (median of 20), middleware overhead, synth time, executor speed and memory.
func Bench(ctx context.Context) error {
	if err := run(ctx, "go", "test", "-run=^$", "-bench=ColdStart", "-benchtime=20x", "-timeout="+testTimeout, "./handlers/"); err != nil {
		return err
	}
	if err := run(ctx, "go", "test", "-run=^$", "-bench=ZipSize|Middleware|Bare|Synth", "-benchmem", "-timeout="+testTimeout, "./handlers/", "./pkg/middleware/", "./gen/"); err != nil {
		return err
	}
	return run(ctx, "go", "test", "-run=^$", "-bench=.", "-benchmem", "-timeout="+testTimeout, "./pkg/states/...")
}

// Golden rewrites the golden files under testdata/ from the current output; review them in the diff.
func Golden(ctx context.Context) error {
	out, err := exec.CommandContext(ctx, "go", "list", "-f",
		"{{.ImportPath}}{{range .TestImports}} {{.}}{{end}}{{range .XTestImports}} {{.}}{{end}}", "./...").Output()
	if err != nil {
		return fmt.Errorf("go list: %w", err)
	}
	const golden = "github.com/stepforge/stepforge/pkg/golden"
	var pkgs []string
	for _, line := range strings.Split(string(out), "\n") {
		fields := strings.Fields(line)
		if len(fields) > 1 && slices.Contains(fields[1:], golden) {
			pkgs = append(pkgs, fields[0])
		}
	}
	if len(pkgs) == 0 {
		return fmt.Errorf("no test package imports %s", golden)
	}
	return run(ctx, "go", append(append([]string{"test", "-count=1", "-timeout=" + testTimeout}, pkgs...), "-update")...)
}

// Synth generates every workflow's CloudFormation template, ASL and docs page (build/cfn, build/asl, docs/workflows).
func Synth() error {
	start := time.Now()
	stacks, err := gen.Synth(".", workflows.All())
	if err != nil {
		return err
	}
	for _, st := range stacks {
		c, err := cfncheck.Stats(st.Template)
		if err != nil {
			return err
		}
		fmt.Printf("synth %-16s %3d resources  %3d IAM statements  %d on \"*\"\n", st.Workflow.Name, c.Resources, c.Statements, c.WildcardResourceStatements)
	}
	fmt.Printf("synth %d stacks in %s\n", len(stacks), time.Since(start).Round(time.Millisecond))
	return nil
}

// Exec runs a state machine definition on an input file in virtual time and prints {"status","output","error","cause"} (SFN_MOCK_CONFIG, SFN_MOCK_TEST_CASE, SFN_STATE_MACHINE_NAME, SFN_HISTORY=1).
func Exec(ctx context.Context, definition, input string) error {
	res, err := runner.Run(ctx, definition, input, runner.OptionsFromEnv(os.Getenv))
	if err != nil {
		return err
	}
	line, err := json.Marshal(res)
	if err != nil {
		return err
	}
	fmt.Println(string(line))
	return nil
}

// Serve runs the local cloud in the foreground on LOCALCLOUD_ADDR (default 127.0.0.1:4566), state in build/local/state.db, one log line per request, until Ctrl-C.
func Serve(ctx context.Context) error {
	addr := os.Getenv("LOCALCLOUD_ADDR")
	if addr == "" {
		addr = "127.0.0.1:4566"
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := log.New(os.Stderr, "localcloud ", log.LstdFlags|log.Lmicroseconds)
	store, err := localcloud.OpenStore(filepath.Join("build", "local", "state.db"))
	if err != nil {
		return err
	}
	defer store.Close()
	srv := localcloud.New(logger, localcloud.STS{})
	return srv.Serve(ctx, addr, func(a net.Addr) {
		logger.Printf("ready on http://%s (health: http://%s%s)", a, a, localcloud.HealthPath)
	})
}

// Clean removes build output.
func Clean() error { return os.RemoveAll("build") }

type fuzzTarget struct{ pkg, name string }

// fuzzTargets finds `func FuzzXxx(` in the test files of the repository.
func fuzzTargets(root string) ([]fuzzTarget, error) {
	var targets []fuzzTarget
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "build" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(src), "\n") {
			if rest, ok := strings.CutPrefix(line, "func Fuzz"); ok {
				name, _, _ := strings.Cut(rest, "(")
				targets = append(targets, fuzzTarget{pkg: "./" + filepath.ToSlash(filepath.Dir(path)), name: "Fuzz" + name})
			}
		}
		return nil
	})
	return targets, err
}

func run(ctx context.Context, name string, args ...string) error {
	fmt.Println("+", name, strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	return cmd.Run()
}
