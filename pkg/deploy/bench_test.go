package deploy_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/deploy"
	"github.com/stepforge/stepforge/pkg/localcloud/cloud"
)

// fiveStacks are the generator's five templates, each function's code a
// distinct zip of size bytes (incompressible, like a Go binary's deflated
// zip), with the parameters the templates need in a params file under dir.
func fiveStacks(b *testing.B, dir string, size int) []deploy.Stack {
	b.Helper()
	paths, err := filepath.Glob("../../gen/testdata/*.template.json")
	require.NoError(b, err)
	require.NoError(b, os.MkdirAll(filepath.Join(dir, "params"), 0o755))
	params := `{"upload-alarm": {"NotificationEmail": "ops@example.com"}, "retry-on-500": {"StatusUrl": "http://127.0.0.1:1/status"}, "blog-publishing": {"SiteUrl": "https://blog.example.com"}}`
	require.NoError(b, os.WriteFile(filepath.Join(dir, "params", "test.json"), []byte(params), 0o644))
	var stacks []deploy.Stack
	for _, p := range paths {
		body, err := os.ReadFile(p)
		require.NoError(b, err)
		var t struct{ Parameters map[string]any }
		require.NoError(b, json.Unmarshal(body, &t))
		st := deploy.Stack{Name: strings.TrimSuffix(filepath.Base(p), ".template.json"), Template: body}
		for name := range t.Parameters {
			if strings.HasSuffix(name, "CodeKey") {
				zp := filepath.Join(dir, st.Name+"-"+name+".zip")
				writeZip(b, zp, size)
				st.Assets = append(st.Assets, deploy.Asset{Parameter: name, Path: zp})
			}
		}
		stacks = append(stacks, st)
	}
	return stacks
}

func writeZip(b *testing.B, path string, size int) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "bootstrap", Method: zip.Store})
	require.NoError(b, err)
	_, err = io.CopyN(w, rand.Reader, int64(size))
	require.NoError(b, err)
	require.NoError(b, zw.Close())
	require.NoError(b, os.WriteFile(path, buf.Bytes(), 0o644))
}

func benchOptions(b *testing.B, dir string, stacks []deploy.Stack) deploy.Options {
	cfg, _ := cloud.StartForTestIn(b, filepath.Join(dir, "state"))
	return deploy.Options{Config: cfg, Stacks: stacks, Environment: "test", ParamsDir: filepath.Join(dir, "params"),
		Getenv: func(string) string { return "" }, Out: io.Discard, OutputsDir: filepath.Join(dir, "outputs")}
}

// BenchmarkDeployFiveStacksFromScratch deploys the five generated stacks
// (and the bootstrap stack) into a fresh local cloud, in-process, through
// the real SDK: bootstrap, nine uploads, five change sets executed in
// parallel. ZIP_BYTES sets each handler zip's size (default 64 KiB; the
// real handler zips are 4.4 to 6.8 MiB).
func BenchmarkDeployFiveStacksFromScratch(b *testing.B) {
	size := zipBytes()
	dir := b.TempDir()
	stacks := fiveStacks(b, dir, size)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		opts := benchOptions(b, filepath.Join(dir, "run", strings.Repeat("x", i+1)), stacks)
		opts.ParamsDir = filepath.Join(dir, "params")
		b.StartTimer()
		if _, err := deploy.Deploy(ctx, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRedeployWithNoChanges deploys the five stacks once, then times
// deploys that find nothing to do (nothing uploaded, every change set
// empty and removed).
func BenchmarkRedeployWithNoChanges(b *testing.B) {
	dir := b.TempDir()
	stacks := fiveStacks(b, dir, zipBytes())
	opts := benchOptions(b, dir, stacks)
	ctx := context.Background()
	_, err := deploy.Deploy(ctx, opts)
	require.NoError(b, err)
	b.ResetTimer()
	for range b.N {
		rep, err := deploy.Deploy(ctx, opts)
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range rep.Stacks {
			if !s.NoChanges || len(s.Uploaded) > 0 {
				b.Fatalf("%s changed on a redeploy", s.Name)
			}
		}
	}
}

// BenchmarkDiffWithNoChanges times Diff of the five deployed stacks.
func BenchmarkDiffWithNoChanges(b *testing.B) {
	dir := b.TempDir()
	stacks := fiveStacks(b, dir, zipBytes())
	opts := benchOptions(b, dir, stacks)
	ctx := context.Background()
	_, err := deploy.Deploy(ctx, opts)
	require.NoError(b, err)
	b.ResetTimer()
	for range b.N {
		if _, err := deploy.Diff(ctx, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func zipBytes() int {
	if v := os.Getenv("ZIP_BYTES"); v != "" {
		var n int
		if _, err := fmt.Sscan(v, &n); err == nil {
			return n
		}
	}
	return 64 << 10
}
