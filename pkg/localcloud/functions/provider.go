package functions

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
)

// FunctionProvider provisions AWS::Lambda::Function through svc.
func FunctionProvider(svc *Service) cfnengine.Provider { return &functionProvider{svc} }

// PermissionProvider provisions AWS::Lambda::Permission through svc.
func PermissionProvider(svc *Service) cfnengine.Provider { return &permissionProvider{svc} }

type functionProvider struct{ svc *Service }

// functionProps are AWS::Lambda::Function's properties.
type functionProps struct {
	FunctionName string `json:"FunctionName"`
	Role         string `json:"Role"`
	Runtime      string `json:"Runtime"`
	Handler      string `json:"Handler"`
	Description  string `json:"Description"`
	Code         struct {
		S3Bucket        string `json:"S3Bucket"`
		S3Key           string `json:"S3Key"`
		S3ObjectVersion string `json:"S3ObjectVersion"`
		ZipFile         string `json:"ZipFile"`
		ImageURI        string `json:"ImageUri"`
		SourceKMSKeyArn string `json:"SourceKMSKeyArn"`
	} `json:"Code"`
	Timeout          *int              `json:"Timeout"`
	MemorySize       *int              `json:"MemorySize"`
	Architectures    []string          `json:"Architectures"`
	Environment      *Environment      `json:"Environment"`
	TracingConfig    *TracingConfig    `json:"TracingConfig"`
	LoggingConfig    *LoggingConfig    `json:"LoggingConfig"`
	EphemeralStorage *EphemeralStorage `json:"EphemeralStorage"`
	DeadLetterConfig *DeadLetterConfig `json:"DeadLetterConfig"`
	KmsKeyArn        string            `json:"KmsKeyArn"`
	PackageType      string            `json:"PackageType"`
	SnapStart        *SnapStart        `json:"SnapStart"`
	Tags             []struct {
		Key   string `json:"Key"`
		Value string `json:"Value"`
	} `json:"Tags"`
	ReservedConcurrentExecutions *int `json:"ReservedConcurrentExecutions"`
	RuntimeManagementConfig      *struct {
		UpdateRuntimeOn string `json:"UpdateRuntimeOn"`
	} `json:"RuntimeManagementConfig"`
	Unsupported
}

// functionProperties are the properties AWS::Lambda::Function has.
var functionProperties = []string{"Architectures", "Code", "CodeSigningConfigArn", "DeadLetterConfig", "Description",
	"Environment", "EphemeralStorage", "FileSystemConfigs", "FunctionName", "Handler", "ImageConfig", "KmsKeyArn",
	"Layers", "LoggingConfig", "MemorySize", "PackageType", "RecursiveLoop", "ReservedConcurrentExecutions", "Role",
	"Runtime", "RuntimeManagementConfig", "SnapStart", "Tags", "Timeout", "TracingConfig", "VpcConfig",
	"CapacityProviderConfig", "DurableConfig", "TenancyConfig", "FunctionScalingConfig", "PublishToLatestPublished"}

func (*functionProvider) Type() string { return "AWS::Lambda::Function" }

// CreateOnlyProperties: "Update requires: Replacement" in the
// AWS::Lambda::Function reference.
func (*functionProvider) CreateOnlyProperties() []string {
	return []string{"FunctionName", "PackageType"}
}

func checkProperties(props map[string]any, known []string) error {
	var unknown []string
	for k := range props {
		if !slices.Contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("Encountered unsupported property %s", strings.Join(unknown, ", "))
	}
	return nil
}

func decodeFunction(props map[string]any) (*functionProps, error) {
	if err := checkProperties(props, functionProperties); err != nil {
		return nil, err
	}
	var p functionProps
	if err := cfnengine.DecodeProperties(props, &p); err != nil {
		return nil, err
	}
	if p.ReservedConcurrentExecutions != nil {
		return nil, handlerErr(unsupported("ReservedConcurrentExecutions (concurrency controls)"))
	}
	if p.RuntimeManagementConfig != nil && p.RuntimeManagementConfig.UpdateRuntimeOn != "" && p.RuntimeManagementConfig.UpdateRuntimeOn != "Auto" {
		return nil, handlerErr(unsupported("RuntimeManagementConfig other than Auto (runtime version pinning)"))
	}
	for _, k := range []string{"RecursiveLoop", "FunctionScalingConfig", "PublishToLatestPublished"} {
		if _, ok := props[k]; ok {
			return nil, handlerErr(unsupported(k))
		}
	}
	return &p, nil
}

// code is the FunctionCode the properties give: an inline ZipFile is the
// function's source text, which CloudFormation puts in a .zip as index.js
// or index.py.
func (p *functionProps) code() (*FunctionCode, error) {
	c := &FunctionCode{S3Bucket: p.Code.S3Bucket, S3Key: p.Code.S3Key, S3ObjectVersion: p.Code.S3ObjectVersion,
		ImageURI: p.Code.ImageURI, SourceKMSKeyArn: p.Code.SourceKMSKeyArn}
	if p.Code.ZipFile != "" {
		file := ""
		switch {
		case strings.HasPrefix(p.Runtime, "nodejs"):
			file = "index.js"
		case strings.HasPrefix(p.Runtime, "python"):
			file = "index.py"
		default:
			return nil, handlerErr(invalidParameter("ZipFile can only be used when Runtime is set to either of nodejs or python runtimes, not %s.", p.Runtime))
		}
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, err := zw.CreateHeader(&zip.FileHeader{Name: file, Method: zip.Deflate, Modified: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err == nil {
			_, err = w.Write([]byte(p.Code.ZipFile))
		}
		if err == nil {
			err = zw.Close()
		}
		if err != nil {
			return nil, err
		}
		c.ZipFile = buf.Bytes()
	}
	return c, nil
}

func (p *functionProps) tags(req *cfnengine.ResourceRequest) map[string]string {
	tags := map[string]string{
		"aws:cloudformation:stack-name": req.StackName,
		"aws:cloudformation:stack-id":   req.StackID,
		"aws:cloudformation:logical-id": req.LogicalID,
	}
	for k, v := range tags {
		if v == "" {
			delete(tags, k)
		}
	}
	for _, t := range p.Tags {
		tags[t.Key] = t.Value
	}
	return tags
}

func (pr *functionProvider) result(cfg *Configuration) *cfnengine.ResourceResult {
	apply, status := "None", "Off"
	if cfg.SnapStart != nil {
		apply, status = cfg.SnapStart.ApplyOn, cfg.SnapStart.OptimizationStatus
	}
	return &cfnengine.ResourceResult{PhysicalID: cfg.FunctionName, Ref: cfg.FunctionName, Attributes: map[string]any{
		"Arn":                                  cfg.FunctionArn,
		"SnapStartResponse.ApplyOn":            apply,
		"SnapStartResponse.OptimizationStatus": status,
	}}
}

func (pr *functionProvider) Create(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	p, err := decodeFunction(req.Properties)
	if err != nil {
		return nil, err
	}
	name := p.FunctionName
	if name == "" {
		name = req.PhysicalName(64, false)
	}
	code, err := p.code()
	if err != nil {
		return nil, err
	}
	cfg, err := pr.svc.CreateFunction(ctx, &CreateFunctionInput{
		FunctionName: name, Runtime: p.Runtime, Role: p.Role, Handler: p.Handler, Code: code,
		Description: p.Description, Timeout: p.Timeout, MemorySize: p.MemorySize, PackageType: p.PackageType,
		DeadLetterConfig: p.DeadLetterConfig, Environment: p.Environment, KMSKeyArn: p.KmsKeyArn,
		TracingConfig: p.TracingConfig, Tags: p.tags(req), Architectures: p.Architectures,
		EphemeralStorage: p.EphemeralStorage, SnapStart: p.SnapStart, LoggingConfig: p.LoggingConfig,
		Unsupported: p.Unsupported,
	})
	if err != nil {
		return nil, handlerErr(err)
	}
	return pr.result(cfg), nil
}

func (pr *functionProvider) Update(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	p, err := decodeFunction(req.Properties)
	if err != nil {
		return nil, err
	}
	old, err := decodeFunction(req.OldProperties)
	if err != nil {
		old = &functionProps{}
	}
	name := req.PhysicalID
	if err := p.Unsupported.check(); err != nil {
		return nil, handlerErr(err)
	}
	if p.Code != old.Code || !slices.Equal(p.Architectures, old.Architectures) || p.Runtime != old.Runtime && p.Code.ZipFile != "" {
		code, err := p.code()
		if err != nil {
			return nil, err
		}
		arch := p.Architectures
		if len(arch) == 0 {
			arch = []string{"x86_64"}
		}
		if _, err := pr.svc.UpdateFunctionCode(ctx, &UpdateFunctionCodeInput{FunctionName: name, FunctionCode: *code, Architectures: arch}); err != nil {
			return nil, handlerErr(err)
		}
	}
	// Every configuration property is set: one the template no longer
	// gives goes back to Lambda's default.
	timeout, memory := defaultTimeout, defaultMemory
	if p.Timeout != nil {
		timeout = *p.Timeout
	}
	if p.MemorySize != nil {
		memory = *p.MemorySize
	}
	env := p.Environment
	if env == nil {
		env = &Environment{}
	}
	tracing := p.TracingConfig
	if tracing == nil {
		tracing = &TracingConfig{Mode: "PassThrough"}
	}
	storage := p.EphemeralStorage
	if storage == nil {
		storage = &EphemeralStorage{Size: defaultStorage}
	}
	logging := LoggingConfig{LogFormat: "Text"}
	if p.LoggingConfig != nil {
		logging = *p.LoggingConfig
		if logging.LogFormat == "" {
			logging.LogFormat = "Text"
		}
	}
	if logging.LogGroup == "" {
		logging.LogGroup = "/aws/lambda/" + name
	}
	dlq := p.DeadLetterConfig
	if dlq == nil {
		dlq = &DeadLetterConfig{}
	}
	snap := p.SnapStart
	if snap == nil {
		snap = &SnapStart{ApplyOn: "None"}
	}
	cfg, err := pr.svc.UpdateFunctionConfiguration(ctx, &UpdateFunctionConfigurationInput{
		FunctionName: name, Role: &p.Role, Handler: &p.Handler, Description: &p.Description, Timeout: &timeout,
		MemorySize: &memory, Environment: env, Runtime: &p.Runtime, DeadLetterConfig: dlq, KMSKeyArn: &p.KmsKeyArn,
		TracingConfig: tracing, EphemeralStorage: storage, SnapStart: snap, LoggingConfig: &logging,
	})
	if err != nil {
		return nil, handlerErr(err)
	}
	// Tags: what the template gives now, plus CloudFormation's own.
	want := p.tags(req)
	have, err := pr.svc.ListTags(ctx, cfg.FunctionArn)
	if err != nil {
		return nil, handlerErr(err)
	}
	var gone []string
	for k := range have {
		if _, ok := want[k]; !ok && !strings.HasPrefix(k, "aws:") {
			gone = append(gone, k)
		}
	}
	if len(gone) > 0 {
		if err := pr.svc.UntagResource(ctx, cfg.FunctionArn, gone); err != nil {
			return nil, handlerErr(err)
		}
	}
	if err := pr.svc.TagResource(ctx, cfg.FunctionArn, want); err != nil {
		return nil, handlerErr(err)
	}
	return pr.result(cfg), nil
}

func (pr *functionProvider) Delete(ctx context.Context, req *cfnengine.ResourceRequest) error {
	if req.PhysicalID == "" {
		return nil
	}
	err := pr.svc.DeleteFunction(ctx, req.PhysicalID, "")
	if isNotFound(err) {
		return nil
	}
	return handlerErr(err)
}

func isNotFound(err error) bool {
	var e *localcloud.Error
	return errors.As(err, &e) && e.Code == "ResourceNotFoundException"
}

// handlerErr words a Lambda error as CloudFormation's Lambda resource
// handler reports it in a stack event's reason.
func handlerErr(err error) error {
	var e *localcloud.Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	code := "GeneralServiceException"
	switch e.Code {
	case "InvalidParameterValueException", "ValidationException", "PolicyLengthExceededException", "RequestEntityTooLargeException":
		code = "InvalidRequest"
	case "ResourceConflictException":
		code = "AlreadyExists"
		if !strings.Contains(e.Message, "already exist") {
			code = "ResourceConflict"
		}
	case "ResourceNotFoundException":
		code = "NotFound"
	case "PreconditionFailedException":
		code = "ResourceConflict"
	}
	return fmt.Errorf("Resource handler returned message: \"%s (Service: Lambda, Status Code: %d, Request ID: %s)\" (RequestToken: %s, HandlerErrorCode: %s)",
		e.Message, status, localcloud.NewID(), localcloud.NewID(), code)
}

type permissionProvider struct{ svc *Service }

type permissionProps struct {
	Action                string `json:"Action"`
	FunctionName          string `json:"FunctionName"`
	Principal             string `json:"Principal"`
	SourceArn             string `json:"SourceArn"`
	SourceAccount         string `json:"SourceAccount"`
	EventSourceToken      string `json:"EventSourceToken"`
	PrincipalOrgID        string `json:"PrincipalOrgID"`
	FunctionURLAuthType   string `json:"FunctionUrlAuthType"`
	InvokedViaFunctionURL bool   `json:"InvokedViaFunctionUrl"`
}

var permissionProperties = []string{"Action", "FunctionName", "Principal", "SourceArn", "SourceAccount",
	"EventSourceToken", "PrincipalOrgID", "FunctionUrlAuthType", "InvokedViaFunctionUrl"}

func (*permissionProvider) Type() string { return "AWS::Lambda::Permission" }

// CreateOnlyProperties: every property of AWS::Lambda::Permission
// requires replacement.
func (*permissionProvider) CreateOnlyProperties() []string {
	return slices.Clone(permissionProperties)
}

// The physical id is the resource's primary identifier, FunctionName and
// Id (the statement id) joined by "|"; GetAtt Id is the statement id.
func (pr *permissionProvider) result(function, sid string) *cfnengine.ResourceResult {
	return &cfnengine.ResourceResult{PhysicalID: function + "|" + sid, Attributes: map[string]any{"Id": sid}}
}

func splitPermissionID(id string) (function, sid string, ok bool) {
	i := strings.LastIndex(id, "|")
	if i < 0 {
		return "", "", false
	}
	return id[:i], id[i+1:], true
}

func (pr *permissionProvider) Create(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	if err := checkProperties(req.Properties, permissionProperties); err != nil {
		return nil, err
	}
	var p permissionProps
	if err := req.Decode(&p); err != nil {
		return nil, err
	}
	sid := req.PhysicalName(100, false)
	_, err := pr.svc.AddPermission(ctx, &AddPermissionInput{
		FunctionName: p.FunctionName, StatementID: sid, Action: p.Action, Principal: p.Principal,
		SourceArn: p.SourceArn, SourceAccount: p.SourceAccount, EventSourceToken: p.EventSourceToken,
		PrincipalOrgID: p.PrincipalOrgID, FunctionURLAuthType: p.FunctionURLAuthType, InvokedViaFunctionURL: p.InvokedViaFunctionURL,
	})
	if err != nil {
		return nil, handlerErr(err)
	}
	return pr.result(p.FunctionName, sid), nil
}

// Update is only called when no property changed (they are all
// create-only): the statement stays as it is.
func (pr *permissionProvider) Update(_ context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	function, sid, ok := splitPermissionID(req.PhysicalID)
	if !ok {
		return nil, fmt.Errorf("the physical id %q is not FunctionName|Id", req.PhysicalID)
	}
	return pr.result(function, sid), nil
}

func (pr *permissionProvider) Delete(ctx context.Context, req *cfnengine.ResourceRequest) error {
	function, sid, ok := splitPermissionID(req.PhysicalID)
	if !ok {
		return nil
	}
	err := pr.svc.RemovePermission(ctx, function, sid, "", "")
	if isNotFound(err) {
		return nil
	}
	return handlerErr(err)
}
