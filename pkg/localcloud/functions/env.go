package functions

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stepforge/stepforge/pkg/runtimeapi"
)

// codeDir is a function's code extracted once per CodeSha256.
type codeDir struct {
	once sync.Once
	dir  string
	err  error
}

// Lambda gives a function's init its own 10 seconds.
const initBudget = 10 * time.Second

// start starts an environment for p: the code extracted, the process
// running and polling its Runtime API. An init failure is not an error
// here: the environment comes back and the invocation reports it.
func (r *runner) start(ctx context.Context, p *pool) (*env, error) {
	dir, err := r.extract(ctx, p.cfg)
	if err != nil {
		return nil, err
	}
	e := &env{pool: p, stream: logStreamName(time.Now())}
	if e.out, err = os.CreateTemp(r.workDir, "output-*"); err != nil {
		return nil, fmt.Errorf("the function's output file: %w", err)
	}
	vars, err := r.s.environment(ctx, p.cfg, e.stream, dir)
	if err != nil {
		e.close()
		return nil, err
	}
	e.inst, err = runtimeapi.Start(runtimeapi.Function{
		Name: p.cfg.FunctionName, Path: filepath.Join(dir, "bootstrap"), Env: vars,
		Timeout: time.Duration(p.cfg.Timeout) * time.Second, MemoryMB: p.cfg.MemorySize,
		Region: r.s.region, Account: r.s.account, Output: e.out,
	})
	if err != nil {
		e.close()
		return nil, &runtimeapi.FunctionError{Type: "Runtime.InvalidEntrypoint", Message: err.Error()}
	}
	r.mu.Lock()
	r.live[e] = struct{}{}
	r.mu.Unlock()
	return e, nil
}

// ready waits for a fresh environment's init and returns its duration, or
// the error the invocation reports.
func (e *env) ready(ctx context.Context, requestID string) (time.Duration, *runtimeapi.FunctionError) {
	ctx, cancel := context.WithTimeout(ctx, initBudget)
	defer cancel()
	d, err := e.inst.Ready(ctx)
	if err == nil {
		return d, nil
	}
	if fe, ok := err.(*runtimeapi.FunctionError); ok {
		return 0, fe
	}
	_, why, ok := strings.Cut(err.Error(), "exited during init: ")
	if !ok {
		why = err.Error()
	}
	return 0, &runtimeapi.FunctionError{Type: "Runtime.ExitError", Message: "RequestId: " + requestID + " Error: Runtime exited with error: " + why}
}

// extract unzips a function's code under the work folder, once per code
// hash, and checks that its bootstrap can run on this machine.
func (r *runner) extract(ctx context.Context, cfg Configuration) (string, error) {
	r.mu.Lock()
	if r.workDir == "" {
		dir, err := os.MkdirTemp("", "stepforge-lambda-")
		if err != nil {
			r.mu.Unlock()
			return "", err
		}
		r.workDir, r.ownDir = dir, true
	}
	cd := r.code[cfg.CodeSha256]
	if cd == nil {
		cd = &codeDir{}
		r.code[cfg.CodeSha256] = cd
	}
	root := r.workDir
	r.mu.Unlock()
	cd.once.Do(func() {
		sum, _ := base64.StdEncoding.DecodeString(cfg.CodeSha256)
		cd.dir = filepath.Join(root, "code", hex.EncodeToString(sum))
		var zipped []byte
		if zipped, cd.err = r.s.codeBySha(cfg.CodeSha256); cd.err == nil {
			cd.err = unzip(zipped, cd.dir)
		}
		if cd.err == nil {
			cd.err = checkBootstrap(filepath.Join(cd.dir, "bootstrap"))
		}
	})
	return cd.dir, cd.err
}

func unzip(zipped []byte, dir string) error {
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		return fmt.Errorf("the function's .zip: %w", err)
	}
	tmp := dir + ".tmp"
	_ = os.RemoveAll(tmp)
	for _, f := range zr.File {
		path := filepath.Join(tmp, filepath.FromSlash(f.Name))
		if !strings.HasPrefix(path, tmp+string(filepath.Separator)) {
			return fmt.Errorf("the function's .zip holds %q, outside its folder", f.Name)
		}
		if f.FileInfo().IsDir() {
			if err := os.MkdirAll(path, 0o755); err != nil {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		// Lambda runs whatever the .zip holds as executable when it asks
		// for it; mode bits are often lost by zip tools, so all get 0755.
		if err := writeFile(path, f); err != nil {
			return err
		}
	}
	_ = os.RemoveAll(dir)
	return os.Rename(tmp, dir)
}

func writeFile(path string, f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	w, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, rc); err != nil {
		_ = w.Close()
		return err
	}
	return w.Close()
}

// checkBootstrap refuses a bootstrap built for another OS or CPU with an
// error that says how to fix it, instead of the exec error it would be.
func checkBootstrap(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return &runtimeapi.FunctionError{Type: "Runtime.InvalidEntrypoint", Message: "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"}
	}
	defer f.Close()
	head := make([]byte, 2)
	if _, err := io.ReadFull(f, head); err == nil && string(head) == "#!" {
		return nil // a script: the machine runs its interpreter
	}
	goos, goarch := "", ""
	if ef, err := elf.NewFile(f); err == nil {
		goos = "linux"
		switch ef.Machine {
		case elf.EM_X86_64:
			goarch = "amd64"
		case elf.EM_AARCH64:
			goarch = "arm64"
		case elf.EM_386:
			goarch = "386"
		default:
			goarch = strings.ToLower(strings.TrimPrefix(ef.Machine.String(), "EM_"))
		}
	} else if mf, err := macho.NewFile(f); err == nil {
		goos = "darwin"
		switch mf.Cpu {
		case macho.CpuAmd64:
			goarch = "amd64"
		case macho.CpuArm64:
			goarch = "arm64"
		default:
			goarch = strings.ToLower(mf.Cpu.String())
		}
	} else if pf, err := pe.NewFile(f); err == nil {
		goos, goarch = "windows", strconv.Itoa(int(pf.Machine))
		switch pf.Machine {
		case pe.IMAGE_FILE_MACHINE_AMD64:
			goarch = "amd64"
		case pe.IMAGE_FILE_MACHINE_ARM64:
			goarch = "arm64"
		}
	} else {
		return &runtimeapi.FunctionError{Type: "Runtime.InvalidEntrypoint",
			Message: "the function's bootstrap is no executable this machine can run (neither a script nor an ELF, Mach-O or PE binary)"}
	}
	if goos == runtime.GOOS && goarch == runtime.GOARCH {
		return nil
	}
	return &runtimeapi.FunctionError{Type: "Runtime.InvalidEntrypoint", Message: fmt.Sprintf(
		"the function's bootstrap is a %s/%s executable and this machine runs %s/%s: build it for this machine (go run mage.go build builds host binaries for the local cloud)",
		goos, goarch, runtime.GOOS, runtime.GOARCH)}
}

// logStreamName is Lambda's YYYY/MM/DD/[$LATEST]<32 hex digits>.
func logStreamName(t time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return t.UTC().Format("2006/01/02") + "/[" + latest + "]" + hex.EncodeToString(b[:])
}

// logGroup is where a function's logs go.
func logGroup(c Configuration) string {
	if c.LoggingConfig.LogGroup != "" {
		return c.LoggingConfig.LogGroup
	}
	return "/aws/lambda/" + c.FunctionName
}

// environment is what Lambda sets for a function beyond what runtimeapi
// sets ("Defined runtime environment variables"). The function's own
// variables come before Lambda's reserved ones, which win, and after
// AWS_ENDPOINT_URL, which a function may override.
func (s *Service) environment(ctx context.Context, c Configuration, stream, dir string) ([]string, error) {
	s.mu.RLock()
	endpoint := s.endpoint
	s.mu.RUnlock()
	var vars []string
	if endpoint != "" {
		vars = append(vars, "AWS_ENDPOINT_URL="+endpoint)
	}
	if c.Environment != nil {
		for k, v := range c.Environment.Variables {
			vars = append(vars, k+"="+v)
		}
	}
	key, secret, token := "AKIDLOCALFUNCTION", "local-function-secret", ""
	if s.opts.creds != nil {
		var err error
		if key, secret, token, _, err = s.opts.creds.IssueCredentials(ctx, c.Role, c.FunctionName); err != nil {
			return nil, fmt.Errorf("the credentials of %s's role %s: %w", c.FunctionName, c.Role, err)
		}
	}
	group := logGroup(c)
	vars = append(vars,
		"AWS_LAMBDA_FUNCTION_NAME="+c.FunctionName,
		"AWS_LAMBDA_FUNCTION_VERSION="+latest,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE="+strconv.Itoa(c.MemorySize),
		"AWS_LAMBDA_LOG_GROUP_NAME="+group,
		"AWS_LAMBDA_LOG_STREAM_NAME="+stream,
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_REGION="+s.region,
		"AWS_DEFAULT_REGION="+s.region,
		"LAMBDA_TASK_ROOT="+dir,
		"LAMBDA_RUNTIME_DIR="+dir,
		"_HANDLER="+c.Handler,
		"AWS_ACCESS_KEY_ID="+key,
		"AWS_SECRET_ACCESS_KEY="+secret,
		"AWS_XRAY_DAEMON_ADDRESS="+s.opts.xrayAddress,
		"_AWS_XRAY_DAEMON_ADDRESS="+strings.Split(s.opts.xrayAddress, ":")[0],
		"AWS_XRAY_CONTEXT_MISSING=LOG_ERROR",
	)
	if _, port, ok := strings.Cut(s.opts.xrayAddress, ":"); ok {
		vars = append(vars, "_AWS_XRAY_DAEMON_PORT="+port)
	}
	if token != "" {
		vars = append(vars, "AWS_SESSION_TOKEN="+token)
	}
	// The OS-only runtimes (provided.*) have no AWS_EXECUTION_ENV.
	if c.Runtime != "" && !strings.HasPrefix(c.Runtime, "provided") {
		vars = append(vars, "AWS_EXECUTION_ENV=AWS_Lambda_"+c.Runtime)
	}
	if c.LoggingConfig.LogFormat == "JSON" {
		level := c.LoggingConfig.ApplicationLogLevel
		if level == "" {
			level = "INFO"
		}
		vars = append(vars, "AWS_LAMBDA_LOG_FORMAT=JSON", "AWS_LAMBDA_LOG_LEVEL="+level)
	}
	return vars, nil
}
