package build

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every test builds its own throwaway module and spends most of its time in
// go subprocesses, so they run in parallel.

// module writes a throwaway module with two handlers and returns its root.
func module(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	write(t, filepath.Join(root, "go.mod"), "module example.com/m\n\ngo 1.26\n")
	write(t, filepath.Join(root, "pkg", "greet", "greet.go"), "package greet\n\nfunc Hello() string { return \"hello\" }\n")
	write(t, filepath.Join(root, "handlers", "alpha", "main.go"), "package main\n\nimport \"example.com/m/pkg/greet\"\n\nfunc main() { println(greet.Hello()) }\n")
	write(t, filepath.Join(root, "handlers", "beta", "main.go"), "package main\n\nfunc main() { println(\"beta\") }\n")
	write(t, filepath.Join(root, "handlers", "notahandler", "README"), "no main.go here\n")
	return root
}

func write(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

func byName(arts []Artifact) map[string]Artifact {
	m := map[string]Artifact{}
	for _, a := range arts {
		m[a.Name] = a
	}
	return m
}

func TestListFindsFoldersWithMainGo(t *testing.T) {
	t.Parallel()
	names, err := List(filepath.Join(module(t), "handlers"))
	require.NoError(t, err)
	assert.Equal(t, []string{"alpha", "beta"}, names)
}

func TestUnchangedHandlerIsNotRebuilt(t *testing.T) {
	t.Parallel()
	root := module(t)
	ctx := context.Background()
	var progress bytes.Buffer
	first, err := Build(ctx, Options{Root: root, Progress: &progress})
	require.NoError(t, err)
	require.Len(t, first, 2)
	for _, a := range first {
		assert.True(t, a.Rebuilt, a.Name)
		assert.FileExists(t, a.Binary)
		assert.Positive(t, a.ZipSize)
	}
	assert.Contains(t, progress.String(), "alpha")
	zipBefore, err := os.ReadFile(byName(first)["alpha"].Zip)
	require.NoError(t, err)

	second, err := Build(ctx, Options{Root: root})
	require.NoError(t, err)
	for _, a := range second {
		assert.False(t, a.Rebuilt, a.Name)
	}
	zipAfter, err := os.ReadFile(byName(second)["alpha"].Zip)
	require.NoError(t, err)
	assert.Equal(t, zipBefore, zipAfter)
}

func TestChangingAnImportedPackageRebuildsOnlyItsHandlers(t *testing.T) {
	t.Parallel()
	root := module(t)
	ctx := context.Background()
	_, err := Build(ctx, Options{Root: root})
	require.NoError(t, err)

	write(t, filepath.Join(root, "pkg", "greet", "greet.go"), "package greet\n\nfunc Hello() string { return \"hi\" }\n")
	arts, err := Build(ctx, Options{Root: root})
	require.NoError(t, err)
	got := byName(arts)
	assert.True(t, got["alpha"].Rebuilt, "alpha imports the changed package")
	assert.False(t, got["beta"].Rebuilt, "beta does not")
}

func TestSameSourceGivesByteIdenticalZips(t *testing.T) {
	t.Parallel()
	root := module(t)
	ctx := context.Background()
	a, err := Build(ctx, Options{Root: root, Out: filepath.Join(root, "out1"), Handlers: []string{"alpha"}})
	require.NoError(t, err)
	b, err := Build(ctx, Options{Root: root, Out: filepath.Join(root, "out2"), Handlers: []string{"alpha"}})
	require.NoError(t, err)
	require.True(t, b[0].Rebuilt, "a fresh output folder forces a real second build")
	za, err := os.ReadFile(a[0].Zip)
	require.NoError(t, err)
	zb, err := os.ReadFile(b[0].Zip)
	require.NoError(t, err)
	assert.Equal(t, za, zb)
	assert.Equal(t, a[0].Fingerprint, b[0].Fingerprint)
}

func TestZipHoldsOneExecutableBootstrapWithAFixedTime(t *testing.T) {
	t.Parallel()
	root := module(t)
	arts, err := Build(context.Background(), Options{Root: root, Handlers: []string{"beta"}})
	require.NoError(t, err)
	zr, err := zip.OpenReader(arts[0].Zip)
	require.NoError(t, err)
	defer zr.Close()
	require.Len(t, zr.File, 1)
	f := zr.File[0]
	assert.Equal(t, "bootstrap", f.Name)
	assert.Equal(t, os.FileMode(0o755), f.Mode().Perm())
	assert.True(t, f.Modified.Equal(zipTime), "modified %v", f.Modified)

	rc, err := f.Open()
	require.NoError(t, err)
	defer rc.Close()
	var head [4]byte
	_, err = rc.Read(head[:])
	require.NoError(t, err)
	assert.Equal(t, []byte("\x7fELF"), head[:], "the entry is a Linux executable")
}

func TestBuildFailureNamesTheHandler(t *testing.T) {
	t.Parallel()
	root := module(t)
	write(t, filepath.Join(root, "handlers", "beta", "main.go"), "package main\n\nfunc main() { undefined() }\n")
	_, err := Build(context.Background(), Options{Root: root})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "beta")
}

func TestBinariesOnlyCompilesWithoutZipping(t *testing.T) {
	t.Parallel()
	root := module(t)
	out := filepath.Join(root, "bin")
	arts, err := Build(context.Background(), Options{Root: root, Out: out, BinariesOnly: true})
	require.NoError(t, err)
	require.Len(t, arts, 2)
	for _, a := range arts {
		assert.FileExists(t, a.Binary)
		assert.Empty(t, a.Zip)
		assert.NoFileExists(t, filepath.Join(out, a.Name+".zip"))
	}
}
