package functions

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// The store's tables.
const (
	tableFunctions = "lambda.functions" // function name -> record
	tableCode      = "lambda.code"      // CodeSha256 -> the .zip bytes, shared by functions with the same code
)

// Lambda's limits (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
const (
	maxUnzipped      = 262144000
	maxZipped        = 52428800
	totalCodeStorage = 80530636800
	maxEnvBytes      = 4096
	maxTags          = 50
	defaultTimeout   = 3
	defaultMemory    = 128
	defaultStorage   = 512
	latest           = "$LATEST"
)

// CodeSource gives the bytes of an S3 object: where CreateFunction and
// UpdateFunctionCode read Code.S3Bucket/S3Key. The local cloud's S3
// satisfies it. An error carrying an S3 error code (an *localcloud.Error,
// or any error with ErrorCode() and ErrorMessage(), as the SDK's errors
// have) is reported with that code, as Lambda reports S3's errors.
type CodeSource interface {
	GetObject(ctx context.Context, bucket, key string) ([]byte, error)
}

// VersionedCodeSource is a CodeSource that can also read one version of an
// object (Code.S3ObjectVersion). Without it a version is refused.
type VersionedCodeSource interface {
	CodeSource
	GetObjectVersion(ctx context.Context, bucket, key, version string) ([]byte, error)
}

// Configuration is a function's configuration as Lambda returns it
// (FunctionConfiguration).
type Configuration struct {
	FunctionName     string             `json:"FunctionName"`
	FunctionArn      string             `json:"FunctionArn"`
	Runtime          string             `json:"Runtime,omitempty"`
	Role             string             `json:"Role"`
	Handler          string             `json:"Handler,omitempty"`
	CodeSize         int64              `json:"CodeSize"`
	Description      string             `json:"Description"`
	Timeout          int                `json:"Timeout"`
	MemorySize       int                `json:"MemorySize"`
	LastModified     string             `json:"LastModified"`
	CodeSha256       string             `json:"CodeSha256"`
	Version          string             `json:"Version"`
	Environment      *Environment       `json:"Environment,omitempty"`
	KMSKeyArn        string             `json:"KMSKeyArn,omitempty"`
	TracingConfig    TracingConfig      `json:"TracingConfig"`
	DeadLetterConfig *DeadLetterConfig  `json:"DeadLetterConfig,omitempty"`
	RevisionID       string             `json:"RevisionId"`
	State            string             `json:"State,omitempty"`
	LastUpdateStatus string             `json:"LastUpdateStatus,omitempty"`
	PackageType      string             `json:"PackageType"`
	Architectures    []string           `json:"Architectures"`
	EphemeralStorage EphemeralStorage   `json:"EphemeralStorage"`
	SnapStart        *SnapStartResponse `json:"SnapStart,omitempty"`
	LoggingConfig    LoggingConfig      `json:"LoggingConfig"`
}

// Environment is a function's environment variables.
type Environment struct {
	Variables map[string]string `json:"Variables,omitempty"`
}

// TracingConfig is a function's X-Ray tracing mode: Active or PassThrough.
type TracingConfig struct {
	Mode string `json:"Mode,omitempty"`
}

// DeadLetterConfig names the queue or topic failed asynchronous events go to.
type DeadLetterConfig struct {
	TargetArn string `json:"TargetArn,omitempty"`
}

// EphemeralStorage is the size of /tmp in MB (512 to 10240).
type EphemeralStorage struct {
	Size int `json:"Size"`
}

// SnapStart is the SnapStart setting a function is created or updated with.
type SnapStart struct {
	ApplyOn string `json:"ApplyOn,omitempty"`
}

// SnapStartResponse is the SnapStart setting as Lambda returns it.
type SnapStartResponse struct {
	ApplyOn            string `json:"ApplyOn"`
	OptimizationStatus string `json:"OptimizationStatus"`
}

// LoggingConfig is where and how a function's logs go.
type LoggingConfig struct {
	LogFormat           string `json:"LogFormat,omitempty"`
	ApplicationLogLevel string `json:"ApplicationLogLevel,omitempty"`
	SystemLogLevel      string `json:"SystemLogLevel,omitempty"`
	LogGroup            string `json:"LogGroup,omitempty"`
}

// FunctionCode is a function's code: the .zip itself or an S3 object
// holding it.
type FunctionCode struct {
	ZipFile         []byte `json:"ZipFile,omitempty"`
	S3Bucket        string `json:"S3Bucket,omitempty"`
	S3Key           string `json:"S3Key,omitempty"`
	S3ObjectVersion string `json:"S3ObjectVersion,omitempty"`
	ImageURI        string `json:"ImageUri,omitempty"`
	SourceKMSKeyArn string `json:"SourceKMSKeyArn,omitempty"`
}

// Unsupported holds the request members of Lambda features the local
// cloud does not emulate; any of them set (non-empty) is refused by name.
type Unsupported struct {
	VpcConfig              *VpcConfig      `json:"VpcConfig,omitempty"`
	Layers                 []string        `json:"Layers,omitempty"`
	FileSystemConfigs      json.RawMessage `json:"FileSystemConfigs,omitempty"`
	ImageConfig            json.RawMessage `json:"ImageConfig,omitempty"`
	CodeSigningConfigArn   string          `json:"CodeSigningConfigArn,omitempty"`
	CapacityProviderConfig json.RawMessage `json:"CapacityProviderConfig,omitempty"`
	PublishTo              string          `json:"PublishTo,omitempty"`
	DurableConfig          json.RawMessage `json:"DurableConfig,omitempty"`
	TenancyConfig          json.RawMessage `json:"TenancyConfig,omitempty"`
}

// VpcConfig attaches a function to a VPC: an empty one is no VPC.
type VpcConfig struct {
	SubnetIDs        []string `json:"SubnetIds,omitempty"`
	SecurityGroupIDs []string `json:"SecurityGroupIds,omitempty"`
}

func (u *Unsupported) check() error {
	switch {
	case u.VpcConfig != nil && (len(u.VpcConfig.SubnetIDs) > 0 || len(u.VpcConfig.SecurityGroupIDs) > 0):
		return unsupported("VpcConfig (functions in a VPC)")
	case len(u.Layers) > 0:
		return unsupported("Layers")
	case isSet(u.FileSystemConfigs):
		return unsupported("FileSystemConfigs (Amazon EFS)")
	case isSet(u.ImageConfig):
		return unsupported("ImageConfig (container images)")
	case u.CodeSigningConfigArn != "":
		return unsupported("CodeSigningConfigArn (code signing)")
	case isSet(u.CapacityProviderConfig):
		return unsupported("CapacityProviderConfig (Lambda Managed Instances)")
	case u.PublishTo != "":
		return unsupported("PublishTo (published versions)")
	case isSet(u.DurableConfig):
		return unsupported("DurableConfig (durable functions)")
	case isSet(u.TenancyConfig):
		return unsupported("TenancyConfig (tenant isolation)")
	}
	return nil
}

func isSet(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s != "" && s != "null" && s != "{}" && s != "[]"
}

// CreateFunctionInput is CreateFunction's request.
type CreateFunctionInput struct {
	FunctionName     string            `json:"FunctionName"`
	Runtime          string            `json:"Runtime,omitempty"`
	Role             string            `json:"Role"`
	Handler          string            `json:"Handler,omitempty"`
	Code             *FunctionCode     `json:"Code"`
	Description      string            `json:"Description,omitempty"`
	Timeout          *int              `json:"Timeout,omitempty"`
	MemorySize       *int              `json:"MemorySize,omitempty"`
	Publish          bool              `json:"Publish,omitempty"`
	PackageType      string            `json:"PackageType,omitempty"`
	DeadLetterConfig *DeadLetterConfig `json:"DeadLetterConfig,omitempty"`
	Environment      *Environment      `json:"Environment,omitempty"`
	KMSKeyArn        string            `json:"KMSKeyArn,omitempty"`
	TracingConfig    *TracingConfig    `json:"TracingConfig,omitempty"`
	Tags             map[string]string `json:"Tags,omitempty"`
	Architectures    []string          `json:"Architectures,omitempty"`
	EphemeralStorage *EphemeralStorage `json:"EphemeralStorage,omitempty"`
	SnapStart        *SnapStart        `json:"SnapStart,omitempty"`
	LoggingConfig    *LoggingConfig    `json:"LoggingConfig,omitempty"`
	Unsupported
}

// UpdateFunctionConfigurationInput is UpdateFunctionConfiguration's
// request: a nil member is left as it is.
type UpdateFunctionConfigurationInput struct {
	FunctionName     string            `json:"-"`
	Role             *string           `json:"Role,omitempty"`
	Handler          *string           `json:"Handler,omitempty"`
	Description      *string           `json:"Description,omitempty"`
	Timeout          *int              `json:"Timeout,omitempty"`
	MemorySize       *int              `json:"MemorySize,omitempty"`
	Environment      *Environment      `json:"Environment,omitempty"`
	Runtime          *string           `json:"Runtime,omitempty"`
	DeadLetterConfig *DeadLetterConfig `json:"DeadLetterConfig,omitempty"`
	KMSKeyArn        *string           `json:"KMSKeyArn,omitempty"`
	TracingConfig    *TracingConfig    `json:"TracingConfig,omitempty"`
	RevisionID       string            `json:"RevisionId,omitempty"`
	EphemeralStorage *EphemeralStorage `json:"EphemeralStorage,omitempty"`
	SnapStart        *SnapStart        `json:"SnapStart,omitempty"`
	LoggingConfig    *LoggingConfig    `json:"LoggingConfig,omitempty"`
	Unsupported
}

// UpdateFunctionCodeInput is UpdateFunctionCode's request.
type UpdateFunctionCodeInput struct {
	FunctionName string `json:"-"`
	FunctionCode
	Publish       bool     `json:"Publish,omitempty"`
	DryRun        bool     `json:"DryRun,omitempty"`
	RevisionID    string   `json:"RevisionId,omitempty"`
	Architectures []string `json:"Architectures,omitempty"`
	PublishTo     string   `json:"PublishTo,omitempty"`
}

// Function is GetFunction's answer: the configuration, the code's
// location and the tags.
type Function struct {
	Configuration Configuration     `json:"Configuration"`
	Code          CodeLocation      `json:"Code"`
	Tags          map[string]string `json:"Tags,omitempty"`
}

// CodeLocation is where a function's .zip can be downloaded.
type CodeLocation struct {
	RepositoryType string `json:"RepositoryType"`
	Location       string `json:"Location,omitempty"`
}

// record is a function as the store keeps it.
type record struct {
	Config Configuration     `json:"config"`
	Tags   map[string]string `json:"tags,omitempty"`
	Policy []Statement       `json:"policy,omitempty"`
	// Reserved is the function's reserved concurrency (PutFunctionConcurrency).
	Reserved *int `json:"reserved,omitempty"`
}

// Service is the Lambda control plane of one account and region
// (localcloud.Account, localcloud.Region).
type Service struct {
	store           *localcloud.Store
	code            CodeSource
	region, account string
	now             func() time.Time

	mu       sync.RWMutex
	codeURL  string
	endpoint string // the functions' AWS_ENDPOINT_URL

	opts  options
	run   *runner
	async *queue
}

// New returns the Lambda service keeping its state in store and reading
// S3 code through code (nil: S3 code is refused). It starts the worker
// that runs queued asynchronous invocations: Close stops it.
func New(store *localcloud.Store, code CodeSource, opts ...Option) *Service {
	s := &Service{store: store, code: code, region: localcloud.Region, account: localcloud.Account, now: time.Now, opts: defaultOptions()}
	for _, o := range opts {
		o(&s.opts)
	}
	s.run = newRunner(s)
	s.async = startQueue(s, s.opts.endpointFirst)
	return s
}

// Close stops the asynchronous worker and every function process, and
// removes the extracted code when the folder was the default one.
func (s *Service) Close() error {
	s.async.close()
	return s.run.close()
}

// SetFunctionEndpoint sets the AWS_ENDPOINT_URL functions get, so their
// SDK talks to the local cloud; SetCodeEndpoint sets it too when it is
// not set.
func (s *Service) SetFunctionEndpoint(base string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endpoint = strings.TrimSuffix(base, "/")
	s.async.release()
}

// SetCodeEndpoint sets the base URL (e.g. "http://127.0.0.1:4566") at
// which the wiring serves CodeHandler; GetFunction's Code.Location is then
// a URL there that downloads the function's .zip. Without it, Location is
// left out.
func (s *Service) SetCodeEndpoint(base string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codeURL = strings.TrimSuffix(base, "/")
	if s.endpoint == "" {
		s.endpoint = s.codeURL
	}
	s.async.release()
}

// CodePath is the path prefix CodeHandler serves.
const CodePath = "/_localcloud/lambda/code/"

// CodeHandler serves GET CodePath<sha256 hex>.zip: the .zip of every
// function whose CodeSha256 it is, the download GetFunction's
// Code.Location points at.
func (s *Service) CodeHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name, ok := strings.CutPrefix(r.URL.Path, CodePath)
		name, ok2 := strings.CutSuffix(name, ".zip")
		sum, err := hex.DecodeString(name)
		if !ok || !ok2 || err != nil || len(sum) != sha256.Size {
			http.NotFound(w, r)
			return
		}
		var zipped []byte
		found := false
		err = s.store.View(func(tx *localcloud.Tx) error {
			var err error
			found, err = tx.Get(tableCode, base64.StdEncoding.EncodeToString(sum), &zipped)
			return err
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if !found {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/zip")
		w.Header().Set("Content-Length", fmt.Sprint(len(zipped)))
		if r.Method == http.MethodGet {
			_, _ = w.Write(zipped)
		}
	})
}

func (s *Service) functionArn(name string) string {
	return "arn:aws:lambda:" + s.region + ":" + s.account + ":function:" + name
}

func (s *Service) notFoundErr(name, qualifier string) error {
	arn := s.functionArn(name)
	if qualifier != "" {
		arn += ":" + qualifier
	}
	return notFound("Function not found: " + arn)
}

// resolve turns a function name, partial ARN or ARN (with an optional
// ":qualifier") into the name and qualifier, checking the member's
// constraints (pattern is the model's pattern for it, max its length).
func (s *Service) resolve(ref, pattern string, max int) (name, qualifier string, err error) {
	var v validation
	v.length(ref, "functionName", 1, max)
	if len(v) == 0 {
		v.pattern(ref, "functionName", pattern)
	}
	if err := v.err(); err != nil {
		return "", "", err
	}
	parts := strings.Split(ref, ":")
	region, account := s.region, s.account
	switch {
	case strings.HasPrefix(ref, "arn:"):
		// arn:aws:lambda:region:account:function:name[:qualifier]
		region, account, parts = parts[3], parts[4], parts[6:]
	case len(parts) >= 3 && parts[1] == "function":
		// account:function:name[:qualifier]
		account, parts = parts[0], parts[2:]
	}
	name = parts[0]
	if len(parts) > 1 {
		qualifier = parts[1]
	}
	if len(name) > 64 {
		return "", "", invalidParameter("Function name can not be longer than 64 characters but was %d characters.", len(name))
	}
	if region != s.region || account != s.account {
		arn := "arn:aws:lambda:" + region + ":" + account + ":function:" + name
		if qualifier != "" {
			arn += ":" + qualifier
		}
		return "", "", notFound("Function not found: " + arn)
	}
	return name, qualifier, nil
}

// qualify merges a qualifier given in the function name with one given
// as the Qualifier parameter.
func qualify(fromName, param string) (string, error) {
	if fromName != "" && param != "" && fromName != param {
		return "", invalidParameter("The derived qualifier from the function name does not match the specified qualifier.")
	}
	if param != "" {
		return param, nil
	}
	return fromName, nil
}

// loadCode returns the .zip a FunctionCode names, checked as Lambda checks
// it (readable, within the size limits) and, for the OS-only runtimes,
// holding the bootstrap the runtime starts.
func (s *Service) loadCode(ctx context.Context, c FunctionCode, runtime string) ([]byte, error) {
	if c.ImageURI != "" {
		return nil, unsupported("container image functions (ImageUri)")
	}
	if c.SourceKMSKeyArn != "" {
		return nil, unsupported("SourceKMSKeyArn (customer managed keys for .zip archives)")
	}
	fromS3 := c.S3Bucket != "" || c.S3Key != "" || c.S3ObjectVersion != ""
	var zipped []byte
	switch {
	case c.ZipFile != nil && fromS3:
		return nil, invalidParameter("Please provide either a ZipFile or an S3 bucket and key for the function code, not both.")
	case c.ZipFile != nil:
		zipped = c.ZipFile
	case fromS3:
		var v validation
		v.length(c.S3Bucket, "code.s3Bucket", 3, 63)
		v.length(c.S3Key, "code.s3Key", 1, 1024)
		if err := v.err(); err != nil {
			return nil, err
		}
		var err error
		if zipped, err = s.fetch(ctx, c); err != nil {
			return nil, err
		}
	default:
		return nil, invalidParameter("Please provide a source for function code.")
	}
	if err := checkZip(zipped, runtime); err != nil {
		return nil, err
	}
	return zipped, nil
}

func (s *Service) fetch(ctx context.Context, c FunctionCode) ([]byte, error) {
	if s.code == nil {
		return nil, unsupported("code from S3 here: this local cloud has no S3 service wired to Lambda")
	}
	var b []byte
	var err error
	if c.S3ObjectVersion != "" {
		vs, ok := s.code.(VersionedCodeSource)
		if !ok {
			return nil, unsupported("S3ObjectVersion: the local cloud's S3 keeps no object versions")
		}
		b, err = vs.GetObjectVersion(ctx, c.S3Bucket, c.S3Key, c.S3ObjectVersion)
	} else {
		b, err = s.code.GetObject(ctx, c.S3Bucket, c.S3Key)
	}
	if err == nil {
		return b, nil
	}
	code, msg := "InternalError", err.Error()
	var le *localcloud.Error
	var api interface {
		ErrorCode() string
		ErrorMessage() string
	}
	switch {
	case errors.As(err, &le):
		code, msg = le.Code, le.Message
	case errors.As(err, &api):
		code, msg = api.ErrorCode(), api.ErrorMessage()
	}
	return nil, invalidParameter("Error occurred while GetObject. S3 Error Code: %s. S3 Error Message: %s", code, msg)
}

// providedRuntimes run the function's own bootstrap executable.
var providedRuntimes = map[string]bool{"provided": true, "provided.al2": true, "provided.al2023": true}

func checkZip(zipped []byte, runtime string) error {
	if len(zipped) > maxZipped {
		return &localcloud.Error{Code: "RequestEntityTooLargeException", Status: http.StatusRequestEntityTooLarge,
			Message: fmt.Sprintf("Zipped size must be smaller than %d bytes", maxZipped)}
	}
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		return invalidParameter("Could not unzip uploaded file. Please check your file, then try to upload again.")
	}
	var unzipped uint64
	bootstrap := false
	for _, f := range zr.File {
		unzipped += f.UncompressedSize64
		if f.Name == "bootstrap" && !f.FileInfo().IsDir() {
			bootstrap = true
		}
	}
	if unzipped > maxUnzipped {
		return invalidParameter("Unzipped size must be smaller than %d bytes", maxUnzipped)
	}
	// Lambda itself accepts such a .zip and fails every invocation with
	// Runtime.InvalidEntrypoint; the local cloud refuses it up front.
	if providedRuntimes[runtime] && !bootstrap {
		return invalidParameter("The %s runtime runs the file named bootstrap at the root of the .zip file, and this .zip file has none.", runtime)
	}
	return nil
}

func sha(zipped []byte) string {
	sum := sha256.Sum256(zipped)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// settings are the configuration members CreateFunction and
// UpdateFunctionConfiguration share, validated together.
type settings struct {
	runtime, role, handler, description *string
	timeout, memory                     *int
	env                                 *Environment
	tracing                             *TracingConfig
	storage                             *EphemeralStorage
	logging                             *LoggingConfig
	snapStart                           *SnapStart
	kms                                 *string
	dlq                                 *DeadLetterConfig
}

func (st settings) validate() error {
	var v validation
	if st.role != nil {
		v.pattern(*st.role, "role", patRole)
	}
	if st.handler != nil {
		v.length(*st.handler, "handler", 0, 128)
		if *st.handler != "" {
			v.pattern(*st.handler, "handler", patHandler)
		}
	}
	if st.description != nil {
		v.length(*st.description, "description", 0, 256)
	}
	if st.timeout != nil {
		v.between(*st.timeout, "timeout", 1, 900)
	}
	if st.memory != nil {
		v.between(*st.memory, "memorySize", 128, 10240)
	}
	if st.runtime != nil && *st.runtime != "" && !runtimes[*st.runtime] {
		v.add(*st.runtime, "runtime", "Member must satisfy enum value set: "+runtimeList+" or be a valid ARN")
	}
	if st.tracing != nil && st.tracing.Mode != "" {
		v.enum(st.tracing.Mode, "tracingConfig.mode", "Active", "PassThrough")
	}
	if st.storage != nil {
		v.between(st.storage.Size, "ephemeralStorage.size", 512, 10240)
	}
	if l := st.logging; l != nil {
		if l.LogFormat != "" {
			v.enum(l.LogFormat, "loggingConfig.logFormat", "JSON", "Text")
		}
		if l.ApplicationLogLevel != "" {
			v.enum(l.ApplicationLogLevel, "loggingConfig.applicationLogLevel", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
		}
		if l.SystemLogLevel != "" {
			v.enum(l.SystemLogLevel, "loggingConfig.systemLogLevel", "DEBUG", "INFO", "WARN")
		}
		if l.LogGroup != "" {
			v.length(l.LogGroup, "loggingConfig.logGroup", 1, 512)
			v.pattern(l.LogGroup, "loggingConfig.logGroup", patLogGroup)
		}
	}
	if st.snapStart != nil && st.snapStart.ApplyOn != "" {
		v.enum(st.snapStart.ApplyOn, "snapStart.applyOn", "PublishedVersions", "None")
	}
	if st.kms != nil {
		v.pattern(*st.kms, "kMSKeyArn", patKMSKeyArn)
	}
	if st.env != nil {
		for k := range st.env.Variables {
			v.pattern(k, "environment.variables", patEnvName)
		}
	}
	if err := v.err(); err != nil {
		return err
	}
	if st.runtime != nil {
		if rec, ok := deprecated[*st.runtime]; ok {
			return invalidParameter("The runtime parameter of %s is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (%s) while creating or updating functions.", *st.runtime, rec)
		}
	}
	if st.snapStart != nil && st.snapStart.ApplyOn == "PublishedVersions" {
		return unsupported("SnapStart (it applies to published versions, which the local cloud does not publish)")
	}
	if st.env != nil {
		var reserved []string
		for k := range st.env.Variables {
			if reservedEnv[k] {
				reserved = append(reserved, k)
			}
		}
		if len(reserved) > 0 {
			slices.Sort(reserved)
			return invalidParameter("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s", strings.Join(reserved, ", "))
		}
		if b, _ := json.Marshal(st.env.Variables); len(b) > maxEnvBytes {
			return invalidParameter("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: %s", b)
		}
	}
	return nil
}

// apply writes the settings given into c.
func (st settings) apply(c *Configuration) {
	if st.runtime != nil {
		c.Runtime = *st.runtime
	}
	if st.role != nil {
		c.Role = *st.role
	}
	if st.handler != nil {
		c.Handler = *st.handler
	}
	if st.description != nil {
		c.Description = *st.description
	}
	if st.timeout != nil {
		c.Timeout = *st.timeout
	}
	if st.memory != nil {
		c.MemorySize = *st.memory
	}
	if st.env != nil {
		c.Environment = nil
		if len(st.env.Variables) > 0 {
			c.Environment = &Environment{Variables: maps(st.env.Variables)}
		}
	}
	if st.tracing != nil {
		c.TracingConfig.Mode = st.tracing.Mode
		if c.TracingConfig.Mode == "" {
			c.TracingConfig.Mode = "PassThrough"
		}
	}
	if st.storage != nil {
		c.EphemeralStorage = *st.storage
	}
	if st.kms != nil {
		c.KMSKeyArn = *st.kms
	}
	if st.dlq != nil {
		c.DeadLetterConfig = nil
		if st.dlq.TargetArn != "" {
			c.DeadLetterConfig = &DeadLetterConfig{TargetArn: st.dlq.TargetArn}
		}
	}
	if st.snapStart != nil {
		c.SnapStart = &SnapStartResponse{ApplyOn: "None", OptimizationStatus: "Off"}
	}
	if l := st.logging; l != nil {
		lc := c.LoggingConfig
		if l.LogFormat != "" {
			lc.LogFormat = l.LogFormat
		}
		if l.LogGroup != "" {
			lc.LogGroup = l.LogGroup
		}
		if l.ApplicationLogLevel != "" {
			lc.ApplicationLogLevel = l.ApplicationLogLevel
		}
		if l.SystemLogLevel != "" {
			lc.SystemLogLevel = l.SystemLogLevel
		}
		c.LoggingConfig = lc
	}
	normalizeLogging(c)
}

// normalizeLogging gives the logging defaults Lambda gives: Text logs in
// /aws/lambda/<name>; JSON logs at INFO unless told otherwise, and no
// levels for Text.
func normalizeLogging(c *Configuration) {
	lc := &c.LoggingConfig
	if lc.LogFormat == "" {
		lc.LogFormat = "Text"
	}
	if lc.LogGroup == "" {
		lc.LogGroup = "/aws/lambda/" + c.FunctionName
	}
	if lc.LogFormat == "JSON" {
		if lc.ApplicationLogLevel == "" {
			lc.ApplicationLogLevel = "INFO"
		}
		if lc.SystemLogLevel == "" {
			lc.SystemLogLevel = "INFO"
		}
	} else {
		lc.ApplicationLogLevel, lc.SystemLogLevel = "", ""
	}
}

func checkLoggingLevels(l *LoggingConfig, format string) error {
	if l != nil && format != "JSON" && (l.ApplicationLogLevel != "" || l.SystemLogLevel != "") {
		return invalidParameter("To set ApplicationLogLevel or SystemLogLevel, set LogFormat to JSON.")
	}
	return nil
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func checkArchitectures(arch []string) error {
	var v validation
	if len(arch) > 1 {
		v.add("["+strings.Join(arch, ", ")+"]", "architectures", "Member must have length less than or equal to 1")
	}
	for _, a := range arch {
		v.enum(a, "architectures", "x86_64", "arm64")
	}
	return v.err()
}

func checkTags(tags map[string]string) error {
	if len(tags) > maxTags {
		return invalidParameter("Number of tags exceeds resource tag limit.")
	}
	var v validation
	for k, val := range tags {
		v.length(k, "tags.key", 1, 128)
		v.length(val, "tags.value", 0, 256)
	}
	return v.err()
}

// CreateFunction makes a function ($LATEST) from its code and settings.
func (s *Service) CreateFunction(ctx context.Context, in *CreateFunctionInput) (*Configuration, error) {
	if in.FunctionName == "" {
		return nil, (&validation{"Value null at 'functionName' failed to satisfy constraint: Member must not be null"}).err()
	}
	name, qualifier, err := s.resolve(in.FunctionName, patFunctionName, 140)
	if err != nil {
		return nil, err
	}
	if qualifier != "" {
		return nil, invalidParameter("Unsupported function name: a function is created without a qualifier, but %q has one.", in.FunctionName)
	}
	st := settings{runtime: &in.Runtime, role: &in.Role, handler: &in.Handler, description: &in.Description,
		timeout: in.Timeout, memory: in.MemorySize, env: in.Environment, tracing: in.TracingConfig,
		storage: in.EphemeralStorage, logging: in.LoggingConfig, snapStart: in.SnapStart, kms: &in.KMSKeyArn, dlq: in.DeadLetterConfig}
	if in.Role == "" {
		return nil, (&validation{"Value null at 'role' failed to satisfy constraint: Member must not be null"}).err()
	}
	if in.Code == nil {
		return nil, (&validation{"Value null at 'code' failed to satisfy constraint: Member must not be null"}).err()
	}
	if err := st.validate(); err != nil {
		return nil, err
	}
	if err := checkArchitectures(in.Architectures); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if err := in.Unsupported.check(); err != nil {
		return nil, err
	}
	if in.PackageType == "Image" {
		return nil, unsupported("PackageType Image (container image functions)")
	}
	if in.PackageType != "" && in.PackageType != "Zip" {
		return nil, (&validation{}).enumErr(in.PackageType, "packageType", "Zip", "Image")
	}
	if in.Runtime == "" || in.Handler == "" {
		return nil, invalidParameter("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
	}
	if in.Publish {
		return nil, unsupported("Publish (published function versions)")
	}
	format := ""
	if in.LoggingConfig != nil {
		format = in.LoggingConfig.LogFormat
	}
	if err := checkLoggingLevels(in.LoggingConfig, format); err != nil {
		return nil, err
	}
	zipped, err := s.loadCode(ctx, *in.Code, in.Runtime)
	if err != nil {
		return nil, err
	}
	c := Configuration{
		FunctionName: name, FunctionArn: s.functionArn(name), Timeout: defaultTimeout, MemorySize: defaultMemory,
		CodeSize: int64(len(zipped)), CodeSha256: sha(zipped), Version: latest,
		TracingConfig: TracingConfig{Mode: "PassThrough"}, PackageType: "Zip", Architectures: []string{"x86_64"},
		EphemeralStorage: EphemeralStorage{Size: defaultStorage}, SnapStart: &SnapStartResponse{ApplyOn: "None", OptimizationStatus: "Off"},
		LastModified: localcloud.ISOTime(s.now()), RevisionID: localcloud.NewID(), State: "Active", LastUpdateStatus: "Successful",
	}
	st.apply(&c)
	if len(in.Architectures) == 1 {
		c.Architectures = []string{in.Architectures[0]}
	}
	rec := record{Config: c}
	if len(in.Tags) > 0 {
		rec.Tags = maps(in.Tags)
	}
	err = s.store.Update(func(tx *localcloud.Tx) error {
		var existing record
		found, err := tx.Get(tableFunctions, name, &existing)
		if err != nil {
			return err
		}
		if found {
			return conflict("Function already exist: " + name)
		}
		if err := tx.Put(tableCode, c.CodeSha256, zipped); err != nil {
			return err
		}
		return tx.Put(tableFunctions, name, rec)
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// get reads a function by name, partial ARN or ARN, with an optional
// Qualifier parameter; only $LATEST exists.
func (s *Service) get(ref, qualifierParam string) (record, error) {
	name, q, err := s.resolve(ref, patNamespacedName, 256)
	if err != nil {
		return record{}, err
	}
	if q, err = qualify(q, qualifierParam); err != nil {
		return record{}, err
	}
	var rec record
	var found bool
	err = s.store.View(func(tx *localcloud.Tx) error {
		found, err = tx.Get(tableFunctions, name, &rec)
		return err
	})
	if err != nil {
		return record{}, err
	}
	if !found || (q != "" && q != latest) {
		return record{}, s.notFoundErr(name, q)
	}
	if q == latest {
		rec.Config.FunctionArn += ":" + latest
	}
	return rec, nil
}

// GetFunctionConfiguration returns a function's configuration.
func (s *Service) GetFunctionConfiguration(_ context.Context, function, qualifier string) (*Configuration, error) {
	rec, err := s.get(function, qualifier)
	if err != nil {
		return nil, err
	}
	return &rec.Config, nil
}

// GetFunction returns a function's configuration, code location and tags.
func (s *Service) GetFunction(_ context.Context, function, qualifier string) (*Function, error) {
	rec, err := s.get(function, qualifier)
	if err != nil {
		return nil, err
	}
	out := &Function{Configuration: rec.Config, Tags: rec.Tags, Code: CodeLocation{RepositoryType: "S3"}}
	s.mu.RLock()
	base := s.codeURL
	s.mu.RUnlock()
	if base != "" {
		sum, _ := base64.StdEncoding.DecodeString(rec.Config.CodeSha256)
		out.Code.Location = base + CodePath + hex.EncodeToString(sum) + ".zip"
	}
	return out, nil
}

// Code returns a function's .zip and configuration: what the data plane
// runs.
func (s *Service) Code(_ context.Context, function string) ([]byte, Configuration, error) {
	rec, err := s.get(function, "")
	if err != nil {
		return nil, Configuration{}, err
	}
	var zipped []byte
	var found bool
	err = s.store.View(func(tx *localcloud.Tx) error {
		found, err = tx.Get(tableCode, rec.Config.CodeSha256, &zipped)
		return err
	})
	if err != nil {
		return nil, Configuration{}, err
	}
	if !found {
		return nil, Configuration{}, &localcloud.Error{Code: "ServiceException", Status: http.StatusInternalServerError, Server: true,
			Message: "the code of " + rec.Config.FunctionArn + " is missing from the store"}
	}
	return zipped, rec.Config, nil
}

// ListFunctionsOutput is ListFunctions' answer.
type ListFunctionsOutput struct {
	Functions  []Configuration `json:"Functions"`
	NextMarker string          `json:"NextMarker,omitempty"`
}

// ListFunctions lists the functions in name order, maxItems (1 to 10000,
// 0 meaning 50) at a time from marker (a NextMarker).
func (s *Service) ListFunctions(_ context.Context, marker string, maxItems int) (*ListFunctionsOutput, error) {
	if maxItems == 0 {
		maxItems = 50
	}
	var v validation
	v.between(maxItems, "maxItems", 1, 10000)
	if err := v.err(); err != nil {
		return nil, err
	}
	after := ""
	if marker != "" {
		b, err := base64.RawURLEncoding.DecodeString(marker)
		if err != nil || len(b) == 0 {
			return nil, invalidParameter("Invalid marker: %s", marker)
		}
		after = string(b)
	}
	out := &ListFunctionsOutput{Functions: []Configuration{}}
	err := s.store.View(func(tx *localcloud.Tx) error {
		return tx.Scan(tableFunctions, "", func(key string, raw []byte) error {
			if key <= after {
				return nil
			}
			if len(out.Functions) == maxItems {
				if out.NextMarker == "" {
					last := out.Functions[len(out.Functions)-1].FunctionName
					out.NextMarker = base64.RawURLEncoding.EncodeToString([]byte(last))
				}
				return nil
			}
			var rec record
			if err := json.Unmarshal(raw, &rec); err != nil {
				return err
			}
			// ListFunctions leaves out the state fields (only GetFunction
			// and GetFunctionConfiguration give them).
			rec.Config.State, rec.Config.LastUpdateStatus = "", ""
			out.Functions = append(out.Functions, rec.Config)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// update runs fn on a function's record in one transaction and stores the
// result with a new RevisionId and LastModified; code no function uses any
// more is dropped.
func (s *Service) update(ref, revision string, fn func(*localcloud.Tx, *record) error) (*Configuration, error) {
	return s.change(ref, revision, touchAll, fn)
}

// What a change to a function's record renews.
const (
	touchAll      = iota // RevisionId and LastModified: the configuration or code changed
	touchRevision        // RevisionId only: the resource policy changed
	touchNone            // nothing: the tags changed
)

func (s *Service) change(ref, revision string, touch int, fn func(*localcloud.Tx, *record) error) (*Configuration, error) {
	name, q, err := s.resolve(ref, patFunctionName, 140)
	if err != nil {
		return nil, err
	}
	if q != "" && q != latest {
		return nil, s.notFoundErr(name, q)
	}
	var out Configuration
	err = s.store.Update(func(tx *localcloud.Tx) error {
		var rec record
		found, err := tx.Get(tableFunctions, name, &rec)
		if err != nil {
			return err
		}
		if !found {
			return s.notFoundErr(name, "")
		}
		if revision != "" && revision != rec.Config.RevisionID {
			return preconditionFailed()
		}
		oldCode := rec.Config.CodeSha256
		if err := fn(tx, &rec); err != nil {
			return err
		}
		if touch != touchNone {
			rec.Config.RevisionID = localcloud.NewID()
		}
		if touch == touchAll {
			rec.Config.LastModified = localcloud.ISOTime(s.now())
		}
		if err := tx.Put(tableFunctions, name, rec); err != nil {
			return err
		}
		out = rec.Config
		if oldCode != rec.Config.CodeSha256 {
			return dropUnusedCode(tx, oldCode)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// dropUnusedCode deletes the code stored under sum when no function's
// CodeSha256 is sum.
func dropUnusedCode(tx *localcloud.Tx, sum string) error {
	used := false
	err := tx.Scan(tableFunctions, "", func(_ string, raw []byte) error {
		var rec record
		if err := json.Unmarshal(raw, &rec); err != nil {
			return err
		}
		used = used || rec.Config.CodeSha256 == sum
		return nil
	})
	if err != nil || used {
		return err
	}
	return tx.Delete(tableCode, sum)
}

// UpdateFunctionConfiguration changes the settings given, leaving the rest.
func (s *Service) UpdateFunctionConfiguration(_ context.Context, in *UpdateFunctionConfigurationInput) (*Configuration, error) {
	st := settings{runtime: in.Runtime, role: in.Role, handler: in.Handler, description: in.Description,
		timeout: in.Timeout, memory: in.MemorySize, env: in.Environment, tracing: in.TracingConfig,
		storage: in.EphemeralStorage, logging: in.LoggingConfig, snapStart: in.SnapStart, kms: in.KMSKeyArn, dlq: in.DeadLetterConfig}
	if err := st.validate(); err != nil {
		return nil, err
	}
	if err := in.Unsupported.check(); err != nil {
		return nil, err
	}
	out, err := s.update(in.FunctionName, in.RevisionID, func(tx *localcloud.Tx, rec *record) error {
		if in.Runtime != nil && *in.Runtime == "" {
			return invalidParameter("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
		}
		if in.Handler != nil && *in.Handler == "" {
			return invalidParameter("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
		}
		format := rec.Config.LoggingConfig.LogFormat
		if in.LoggingConfig != nil && in.LoggingConfig.LogFormat != "" {
			format = in.LoggingConfig.LogFormat
			if format == "Text" {
				// Back to Text: the levels go, unless given (refused below).
				rec.Config.LoggingConfig.ApplicationLogLevel, rec.Config.LoggingConfig.SystemLogLevel = "", ""
			}
		}
		if err := checkLoggingLevels(in.LoggingConfig, format); err != nil {
			return err
		}
		if in.Runtime != nil && providedRuntimes[*in.Runtime] && !providedRuntimes[rec.Config.Runtime] {
			// The code must hold a bootstrap for the new runtime.
			if err := checkStoredCode(tx, rec.Config.CodeSha256, *in.Runtime); err != nil {
				return err
			}
		}
		st.apply(&rec.Config)
		return nil
	})
	if err == nil {
		s.run.retire(out.FunctionName)
	}
	return out, err
}

func checkStoredCode(tx *localcloud.Tx, sum, runtime string) error {
	var zipped []byte
	if _, err := tx.Get(tableCode, sum, &zipped); err != nil {
		return err
	}
	return checkZip(zipped, runtime)
}

// UpdateFunctionCode replaces a function's code (and architecture); with
// DryRun it only checks the request.
func (s *Service) UpdateFunctionCode(ctx context.Context, in *UpdateFunctionCodeInput) (*Configuration, error) {
	if err := checkArchitectures(in.Architectures); err != nil {
		return nil, err
	}
	if in.Publish {
		return nil, unsupported("Publish (published function versions)")
	}
	if in.PublishTo != "" {
		return nil, unsupported("PublishTo (published versions)")
	}
	current, err := s.GetFunctionConfiguration(ctx, in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	zipped, err := s.loadCode(ctx, in.FunctionCode, current.Runtime)
	if err != nil {
		return nil, err
	}
	apply := func(c *Configuration) {
		c.CodeSha256, c.CodeSize = sha(zipped), int64(len(zipped))
		if len(in.Architectures) == 1 {
			c.Architectures = []string{in.Architectures[0]}
		}
	}
	if in.DryRun {
		if in.RevisionID != "" && in.RevisionID != current.RevisionID {
			return nil, preconditionFailed()
		}
		apply(current)
		return current, nil
	}
	out, err := s.update(in.FunctionName, in.RevisionID, func(tx *localcloud.Tx, rec *record) error {
		apply(&rec.Config)
		return tx.Put(tableCode, rec.Config.CodeSha256, zipped)
	})
	if err == nil {
		s.run.retire(out.FunctionName)
	}
	return out, err
}

// DeleteFunction deletes a function, its policy and tags, and its code
// when no other function has the same.
func (s *Service) DeleteFunction(_ context.Context, function, qualifier string) error {
	name, q, err := s.resolve(function, patNamespacedName, 256)
	if err != nil {
		return err
	}
	if q, err = qualify(q, qualifier); err != nil {
		return err
	}
	if q == latest {
		return invalidParameter("$LATEST version cannot be deleted without deleting the function.")
	}
	return s.store.Update(func(tx *localcloud.Tx) error {
		var rec record
		found, err := tx.Get(tableFunctions, name, &rec)
		if err != nil {
			return err
		}
		if !found || q != "" {
			return s.notFoundErr(name, q)
		}
		if err := tx.Delete(tableFunctions, name); err != nil {
			return err
		}
		s.run.retire(name)
		return dropUnusedCode(tx, rec.Config.CodeSha256)
	})
}

// AccountSettings is GetAccountSettings' answer.
type AccountSettings struct {
	AccountLimit struct {
		TotalCodeSize                  int64 `json:"TotalCodeSize"`
		CodeSizeUnzipped               int64 `json:"CodeSizeUnzipped"`
		CodeSizeZipped                 int64 `json:"CodeSizeZipped"`
		ConcurrentExecutions           int   `json:"ConcurrentExecutions"`
		UnreservedConcurrentExecutions int   `json:"UnreservedConcurrentExecutions"`
	} `json:"AccountLimit"`
	AccountUsage struct {
		TotalCodeSize int64 `json:"TotalCodeSize"`
		FunctionCount int64 `json:"FunctionCount"`
	} `json:"AccountUsage"`
}

// GetAccountSettings gives the account's limits and its usage.
func (s *Service) GetAccountSettings(context.Context) (*AccountSettings, error) {
	out := &AccountSettings{}
	out.AccountLimit.TotalCodeSize = totalCodeStorage
	out.AccountLimit.CodeSizeUnzipped = maxUnzipped
	out.AccountLimit.CodeSizeZipped = maxZipped
	out.AccountLimit.ConcurrentExecutions = s.opts.account
	out.AccountLimit.UnreservedConcurrentExecutions = s.opts.account
	err := s.store.View(func(tx *localcloud.Tx) error {
		return tx.Scan(tableFunctions, "", func(_ string, raw []byte) error {
			var rec record
			if err := json.Unmarshal(raw, &rec); err != nil {
				return err
			}
			if rec.Reserved != nil {
				out.AccountLimit.UnreservedConcurrentExecutions -= *rec.Reserved
			}
			out.AccountUsage.FunctionCount++
			out.AccountUsage.TotalCodeSize += rec.Config.CodeSize
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
