// Package runner runs one state machine definition file on one input, with
// the Tasks of a Step Functions Local mock file, in virtual time: what
// `go run mage.go exec` does.
package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states"
	"github.com/stepforge/stepforge/pkg/states/mock"
)

// Options say where the mocks are and what to print.
type Options struct {
	// MockConfig is a mock configuration file; TestCase names the test case
	// in it. Without them, a definition that reaches a Task cannot run.
	MockConfig, TestCase string
	// MachineName is the state machine's name in the mock file; default the
	// definition file's base name without .asl.json or .json.
	MachineName string
	// History adds the execution's history to the result.
	History bool
	// S3Dir, when set, is the S3 of distributed Maps' ItemReader and
	// ResultWriter: s3://bucket/key is the file S3Dir/bucket/key.
	S3Dir string
}

// OptionsFromEnv reads SFN_MOCK_CONFIG, SFN_MOCK_TEST_CASE,
// SFN_STATE_MACHINE_NAME, SFN_HISTORY (any of 1, true, yes) and SFN_S3_DIR.
func OptionsFromEnv(getenv func(string) string) Options {
	h := strings.ToLower(getenv("SFN_HISTORY"))
	return Options{
		MockConfig:  getenv("SFN_MOCK_CONFIG"),
		TestCase:    getenv("SFN_MOCK_TEST_CASE"),
		MachineName: getenv("SFN_STATE_MACHINE_NAME"),
		History:     h == "1" || h == "true" || h == "yes",
		S3Dir:       getenv("SFN_S3_DIR"),
	}
}

// Result is the verdict, printed as one JSON line.
type Result struct {
	Status  string               `json:"status"`
	Output  json.RawMessage      `json:"output"`
	Error   string               `json:"error,omitempty"`
	Cause   string               `json:"cause,omitempty"`
	History []types.HistoryEvent `json:"history,omitempty"`
}

// Run executes the definition at defPath on the JSON input at inputPath. An
// error means no verdict was reached: a file is unreadable, the definition
// or the mocks are invalid, or a Task was reached that the test case does
// not mock.
func Run(ctx context.Context, defPath, inputPath string, o Options) (*Result, error) {
	def, err := os.ReadFile(defPath)
	if err != nil {
		return nil, err
	}
	sm, err := asl.Parse(def)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", defPath, err)
	}
	input, err := os.ReadFile(inputPath)
	if err != nil {
		return nil, err
	}
	if !json.Valid(input) {
		return nil, fmt.Errorf("%s is not JSON", inputPath)
	}
	name := o.MachineName
	if name == "" {
		name = machineName(defPath)
	}
	var tc *mock.Case
	if o.MockConfig != "" {
		cfg, err := mock.Load(o.MockConfig)
		if err != nil {
			return nil, err
		}
		if o.TestCase == "" {
			return nil, errors.New("SFN_MOCK_CONFIG is set but SFN_MOCK_TEST_CASE names no test case")
		}
		if tc, err = cfg.TestCase(name, o.TestCase); err != nil {
			return nil, err
		}
	}
	var opts []states.Option
	if o.S3Dir != "" {
		opts = append(opts, states.WithObjectStore(DirStore(o.S3Dir)))
	}
	return Exec(ctx, sm, input, name, tc, o.History, opts...)
}

// Exec runs sm, named name, on input with the Tasks of the mock test case
// tc (nil: no Task is mocked), in virtual time. The error is as Run's.
//
// opts add to the machine's options (e.g. an ObjectStore).
func Exec(ctx context.Context, sm *asl.StateMachine, input []byte, name string, tc *mock.Case, history bool, opts ...states.Option) (*Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	tasks := &mocked{tc: tc, stop: cancel}
	m, err := states.New(sm, append([]states.Option{states.WithName(name), states.WithTasks(tasks),
		states.WithClock(states.NewVirtualClock(time.Now().UTC().Truncate(time.Millisecond)))}, opts...)...)
	if err != nil {
		return nil, err
	}
	ex, err := m.Run(ctx, input)
	if unmocked := tasks.failure(); unmocked != nil {
		return nil, unmocked
	}
	if err != nil {
		return nil, err
	}
	res := &Result{Status: ex.Status, Output: ex.Output, Error: ex.Error, Cause: ex.Cause}
	if res.Output == nil {
		res.Output = json.RawMessage("null")
	}
	if history {
		res.History = ex.History
	}
	return res, nil
}

// machineName is the definition file's base name without .asl.json or .json.
func machineName(path string) string {
	base := filepath.Base(path)
	for _, ext := range []string{".asl.json", ".json"} {
		if s, ok := strings.CutSuffix(base, ext); ok {
			return s
		}
	}
	return base
}

// mocked answers Task states from a test case; a Task it does not mock
// stops the run, since there is no service behind it here.
type mocked struct {
	tc   *mock.Case
	stop context.CancelFunc

	mu  sync.Mutex
	err error
}

func (m *mocked) Run(ctx context.Context, t states.TaskRequest) (any, error) {
	if m.tc == nil || !m.tc.Mocked(t.StateName) {
		m.fail(fmt.Errorf("state %q (%s) is not mocked: give a mock file and test case that mock it (SFN_MOCK_CONFIG, SFN_MOCK_TEST_CASE)", t.StateName, t.Resource))
		return nil, context.Canceled
	}
	r, err := m.tc.Next(t.StateName)
	if err != nil {
		m.fail(err)
		return nil, context.Canceled
	}
	if t.TaskToken != "" {
		// As in Step Functions Local, a mocked callback task's response is
		// the callback's outcome: the token is completed with it at once.
		return m.callback(ctx, t, r)
	}
	if r.Throw != nil {
		return nil, &thrown{name: r.Throw.Error, cause: r.Throw.Cause}
	}
	dec := json.NewDecoder(strings.NewReader(string(r.Return)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		m.fail(fmt.Errorf("mocked Return for %q: %w", t.StateName, err))
		return nil, context.Canceled
	}
	return v, nil
}

// callback completes a .waitForTaskToken task's token with its mocked
// response; the request itself is accepted with an empty result.
func (m *mocked) callback(ctx context.Context, t states.TaskRequest, r mock.Response) (any, error) {
	b := states.BrokerFrom(ctx)
	var err error
	if r.Throw != nil {
		err = b.SendTaskFailure(t.TaskToken, r.Throw.Error, r.Throw.Cause)
	} else {
		err = b.SendTaskSuccess(t.TaskToken, r.Return)
	}
	if err != nil {
		m.fail(fmt.Errorf("complete the task token of %q: %w", t.StateName, err))
		return nil, context.Canceled
	}
	return map[string]any{}, nil
}

func (m *mocked) fail(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err == nil {
		m.err = err
	}
	m.stop()
}

func (m *mocked) failure() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.err
}

// thrown is a mocked Throw: the task fails with its Error and Cause.
type thrown struct{ name, cause string }

func (e *thrown) Error() string                     { return e.name + ": " + e.cause }
func (e *thrown) StatesError() (name, cause string) { return e.name, e.cause }

// DirStore is an ObjectStore on a folder: s3://bucket/key is the file
// <dir>/bucket/key.
type DirStore string

func (d DirStore) path(bucket, key string) (string, error) {
	root := filepath.Join(string(d), bucket)
	p := filepath.Join(root, filepath.FromSlash(key))
	if bucket == "" || strings.ContainsAny(bucket, `/\`) || bucket == ".." || (p != root && !strings.HasPrefix(p, root+string(filepath.Separator))) {
		return "", fmt.Errorf("s3://%s/%s is outside %s", bucket, key, string(d))
	}
	return p, nil
}

// GetObject reads the object's file.
func (d DirStore) GetObject(_ context.Context, bucket, key string) ([]byte, error) {
	p, err := d.path(bucket, key)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

// ListObjects lists the files under bucket whose keys start with prefix.
func (d DirStore) ListObjects(_ context.Context, bucket, prefix string) ([]states.ObjectInfo, error) {
	root, err := d.path(bucket, "")
	if err != nil {
		return nil, err
	}
	var out []states.ObjectInfo
	err = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		out = append(out, states.ObjectInfo{Key: key, Size: info.Size(), LastModified: info.ModTime(), StorageClass: "STANDARD", ETag: fmt.Sprintf("%q", fmt.Sprintf("%x", info.ModTime().UnixNano()))})
		return nil
	})
	return out, err
}

// PutObject writes the object's file.
func (d DirStore) PutObject(_ context.Context, bucket, key string, body []byte) error {
	p, err := d.path(bucket, key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, body, 0o644)
}
