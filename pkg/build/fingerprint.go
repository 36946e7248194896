package build

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// listed is the part of `go list -json` the fingerprint needs.
type listed struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	EmbedFiles []string
	Standard   bool
	Deps       []string
	Module     *struct {
		Path    string
		Version string
		Main    bool
	}
}

// fingerprints hashes, per handler, everything its binary is made from: the
// Go version, target and flags, the module versions of its dependencies and
// the content of every source file of this module it imports. One `go list`
// call answers for all handlers, so a no-change build costs one package load.
func fingerprints(ctx context.Context, o Options) (map[string]string, error) {
	args := []string{"list", "-deps", "-tags", Tags, "-json=ImportPath,Dir,GoFiles,EmbedFiles,Standard,Deps,Module"}
	for _, h := range o.Handlers {
		args = append(args, "./"+filepath.ToSlash(filepath.Join(o.Dir, h)))
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = o.Root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+o.GOOS, "GOARCH="+o.GOARCH)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w\n%s", err, stderr.String())
	}
	pkgs := map[string]*listed{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		p := &listed{}
		if err := dec.Decode(p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("decode go list: %w", err)
		}
		pkgs[p.ImportPath] = p
	}
	goVersion, err := exec.CommandContext(ctx, "go", "env", "GOVERSION").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOVERSION: %w", err)
	}
	prints := map[string]string{}
	for _, h := range o.Handlers {
		var main *listed
		for _, p := range pkgs {
			if p.Module != nil && p.Module.Main && p.Dir == filepath.Join(o.Root, o.Dir, h) {
				main = p
			}
		}
		if main == nil {
			return nil, fmt.Errorf("handler %s: package not found by go list", h)
		}
		sum := sha256.New()
		fmt.Fprintf(sum, "go %s\ntarget %s/%s\nflags %s\n", bytes.TrimSpace(goVersion), o.GOOS, o.GOARCH, strings.Join(Flags, " "))
		deps := append([]string{main.ImportPath}, main.Deps...)
		sort.Strings(deps)
		for _, path := range deps {
			p := pkgs[path]
			if p == nil || p.Standard {
				continue
			}
			if p.Module != nil && !p.Module.Main {
				fmt.Fprintf(sum, "dep %s %s@%s\n", path, p.Module.Path, p.Module.Version)
				continue
			}
			files := append(append([]string{}, p.GoFiles...), p.EmbedFiles...)
			sort.Strings(files)
			for _, f := range files {
				b, err := os.ReadFile(filepath.Join(p.Dir, f))
				if err != nil {
					return nil, fmt.Errorf("fingerprint %s: %w", h, err)
				}
				fmt.Fprintf(sum, "file %s/%s %x\n", path, f, sha256.Sum256(b))
			}
		}
		prints[h] = hex.EncodeToString(sum.Sum(nil))
	}
	return prints, nil
}
