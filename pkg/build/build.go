// Package build compiles the Lambda handlers under handlers/ into bootstrap
// executables for provided.al2023 and packs each into a reproducible zip.
// A handler whose inputs have not changed since its last build is neither
// compiled nor zipped again, so its zip keeps the same bytes and deploy never
// uploads it twice.
package build

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options says what to build and where. The zero value builds every handler
// of the module in the current directory for linux/arm64 into build/lambda.
type Options struct {
	// Root is the module root; default ".".
	Root string
	// Out is the output folder; default build/lambda under Root.
	Out string
	// GOOS and GOARCH default to linux and arm64, Lambda's Graviton target.
	GOOS, GOARCH string
	// Dir is the folder, relative to Root, holding one folder per handler;
	// default "handlers".
	Dir string
	// Handlers names the handlers to build; default every folder of Dir with
	// a main.go.
	Handlers []string
	// Progress receives a line per handler; nil is silent.
	Progress io.Writer
	// Parallel bounds concurrent compiles; default the number of CPUs.
	Parallel int
	// BinariesOnly compiles without zipping or recording fingerprints, for
	// tests that run the bootstraps on this machine: deflating 20 MB
	// binaries is the slowest part of a build, and under the race detector
	// it is slower still.
	BinariesOnly bool
}

// Artifact is one built handler.
type Artifact struct {
	Name    string
	Binary  string // path of bootstrap
	Zip     string // path of the deployment package
	ZipSize int64
	// Fingerprint is the hash of every input of the build.
	Fingerprint string
	// Rebuilt is false when the handler was unchanged and left as it was.
	Rebuilt bool
}

// Tags are the build tags of every handler. lambda.norpc drops
// aws-lambda-go's legacy net/rpc mode, which provided.al2023 never uses.
// grpcnotrace keeps grpc (which the X-Ray SDK's xray package imports for
// interceptors we do not use) from linking golang.org/x/net/trace and with
// it html/template, whose reflection stops the linker from pruning methods.
const Tags = "lambda.norpc,grpcnotrace"

// Flags are the go build flags every handler is built with.
var Flags = []string{"-trimpath", "-buildvcs=false", "-tags", Tags, "-ldflags=-s -w"}

const handlersDir = "handlers"

func (o Options) withDefaults() (Options, error) {
	if o.Root == "" {
		o.Root = "."
	}
	root, err := filepath.Abs(o.Root)
	if err != nil {
		return o, err
	}
	o.Root = root
	if o.Out == "" {
		o.Out = filepath.Join(o.Root, "build", "lambda")
	}
	if o.GOOS == "" {
		o.GOOS = "linux"
	}
	if o.GOARCH == "" {
		o.GOARCH = "arm64"
	}
	if o.Parallel <= 0 {
		o.Parallel = runtime.NumCPU()
	}
	if o.Dir == "" {
		o.Dir = handlersDir
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	if len(o.Handlers) == 0 {
		if o.Handlers, err = List(filepath.Join(o.Root, o.Dir)); err != nil {
			return o, err
		}
	}
	return o, nil
}

// List names the handler packages in dir: every folder with a main.go.
func List(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list handlers: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, e.Name(), "main.go")); err == nil {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// Build compiles and zips the handlers o names, skipping unchanged ones.
// The changed ones are compiled by one `go build`, which shares the work
// their common packages need (separate concurrent builds each compile them
// again), then zipped in parallel.
func Build(ctx context.Context, o Options) ([]Artifact, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	prints := map[string]string{}
	if !o.BinariesOnly {
		if prints, err = fingerprints(ctx, o); err != nil {
			return nil, err
		}
	}
	arts := make([]Artifact, len(o.Handlers))
	var stale []int
	for i, name := range o.Handlers {
		arts[i] = artifact(o, name, prints[name])
		if !o.BinariesOnly && upToDate(&arts[i]) {
			fmt.Fprintf(o.Progress, "build %-18s unchanged %6.2f MiB zip\n", name, mib(arts[i].ZipSize))
			continue
		}
		stale = append(stale, i)
	}
	if len(stale) == 0 {
		return arts, nil
	}
	start := time.Now()
	if err := compile(ctx, o, arts, stale); err != nil {
		return arts, err
	}
	if o.BinariesOnly {
		for _, i := range stale {
			arts[i].Zip, arts[i].Rebuilt = "", true
			fmt.Fprintf(o.Progress, "build %-18s compiled  %5.1fs\n", arts[i].Name, time.Since(start).Seconds())
		}
		return arts, nil
	}
	errs := make([]error, len(arts))
	sem := make(chan struct{}, o.Parallel)
	var wg sync.WaitGroup
	var progress sync.Mutex
	for _, i := range stale {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = pack(&arts[i])
			progress.Lock()
			defer progress.Unlock()
			if errs[i] != nil {
				fmt.Fprintf(o.Progress, "build %-18s FAILED\n", arts[i].Name)
				return
			}
			fmt.Fprintf(o.Progress, "build %-18s built     %6.2f MiB zip  %5.1fs\n", arts[i].Name, mib(arts[i].ZipSize), time.Since(start).Seconds())
		}()
	}
	wg.Wait()
	var failed []string
	for i, err := range errs {
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", o.Handlers[i], err))
		}
	}
	if len(failed) > 0 {
		return arts, fmt.Errorf("build failed:\n%s", strings.Join(failed, "\n"))
	}
	return arts, nil
}

func artifact(o Options, name, fingerprint string) Artifact {
	dir := filepath.Join(o.Out, name)
	return Artifact{
		Name:        name,
		Binary:      filepath.Join(dir, "bootstrap"),
		Zip:         filepath.Join(o.Out, name+".zip"),
		Fingerprint: fingerprint,
	}
}

func stampPath(a *Artifact) string { return filepath.Join(filepath.Dir(a.Binary), ".fingerprint") }

// upToDate reports whether a's binary and zip were built from its
// fingerprint, and fills in the zip's size when they were.
func upToDate(a *Artifact) bool {
	old, err := os.ReadFile(stampPath(a))
	if err != nil || string(old) != a.Fingerprint {
		return false
	}
	st, err := os.Stat(a.Zip)
	if err != nil {
		return false
	}
	if _, err := os.Stat(a.Binary); err != nil {
		return false
	}
	a.ZipSize = st.Size()
	return true
}

// compile builds the stale handlers with one go command into a scratch
// folder (go names each binary after its package folder), then moves each
// binary into place.
func compile(ctx context.Context, o Options, arts []Artifact, stale []int) error {
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return err
	}
	scratch, err := os.MkdirTemp(o.Out, ".compile-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)
	args := append([]string{"build"}, Flags...)
	args = append(args, "-p", strconv.Itoa(o.Parallel), "-o", scratch+string(filepath.Separator))
	for _, i := range stale {
		args = append(args, "./"+filepath.ToSlash(filepath.Join(o.Dir, arts[i].Name)))
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = o.Root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+o.GOOS, "GOARCH="+o.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		for _, i := range stale {
			fmt.Fprintf(o.Progress, "build %-18s FAILED\n", arts[i].Name)
		}
		return fmt.Errorf("build failed: go build: %w\n%s", err, out)
	}
	for _, i := range stale {
		a := &arts[i]
		if err := os.MkdirAll(filepath.Dir(a.Binary), 0o755); err != nil {
			return err
		}
		built := filepath.Join(scratch, a.Name)
		if o.GOOS == "windows" {
			built += ".exe"
		}
		if err := os.Rename(built, a.Binary); err != nil {
			return fmt.Errorf("build %s: %w", a.Name, err)
		}
	}
	return nil
}

// pack zips a freshly compiled handler and records its fingerprint.
func pack(a *Artifact) error {
	if err := Zip(a.Binary, a.Zip); err != nil {
		return err
	}
	st, err := os.Stat(a.Zip)
	if err != nil {
		return err
	}
	a.ZipSize = st.Size()
	a.Rebuilt = true
	return os.WriteFile(stampPath(a), []byte(a.Fingerprint), 0o644)
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }
