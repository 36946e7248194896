package keys

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
)

// KeyProvider provisions AWS::KMS::Key through svc.
func KeyProvider(svc *Service) cfnengine.Provider { return &keyProvider{svc: svc} }

type keyProvider struct{ svc *Service }

// Type is AWS::KMS::Key.
func (p *keyProvider) Type() string { return "AWS::KMS::Key" }

// CreateOnlyProperties are those whose change replaces the key in the
// AWS::KMS::Key reference: KeySpec, KeyUsage, MultiRegion and Origin.
func (p *keyProvider) CreateOnlyProperties() []string {
	return []string{"KeySpec", "KeyUsage", "MultiRegion", "Origin"}
}

type cfnTag struct {
	Key, Value string
}

type keyProps struct {
	Description                    string
	Enabled                        *bool
	EnableKeyRotation              bool
	KeyPolicy                      any
	KeySpec                        string
	KeyUsage                       string
	MultiRegion                    bool
	Origin                         string
	PendingWindowInDays            int
	RotationPeriodInDays           int
	BypassPolicyLockoutSafetyCheck bool
	Tags                           []cfnTag
}

var keyProperties = map[string]bool{"Description": true, "Enabled": true, "EnableKeyRotation": true, "KeyPolicy": true,
	"KeySpec": true, "KeyUsage": true, "MultiRegion": true, "Origin": true, "PendingWindowInDays": true,
	"RotationPeriodInDays": true, "BypassPolicyLockoutSafetyCheck": true, "Tags": true}

func decodeKey(req *cfnengine.ResourceRequest) (keyProps, error) {
	var props keyProps
	for k := range req.Properties {
		if !keyProperties[k] {
			return props, fmt.Errorf("Encountered unsupported property %s", k)
		}
	}
	if err := req.Decode(&props); err != nil {
		return props, fmt.Errorf("Properties validation failed for resource %s: %v", req.LogicalID, err)
	}
	if props.PendingWindowInDays != 0 && (props.PendingWindowInDays < 7 || props.PendingWindowInDays > 30) {
		return props, fmt.Errorf("Properties validation failed for resource %s with message: #/PendingWindowInDays: %d is not in the range 7 to 30", req.LogicalID, props.PendingWindowInDays)
	}
	return props, nil
}

func (props keyProps) policy() (string, error) {
	switch v := props.KeyPolicy.(type) {
	case nil:
		return DefaultKeyPolicy(), nil
	case string:
		return v, nil
	default:
		b, err := json.Marshal(v)
		return string(b), err
	}
}

func (props keyProps) tags() []Tag {
	out := make([]Tag, len(props.Tags))
	for i, t := range props.Tags {
		out[i] = Tag{TagKey: t.Key, TagValue: t.Value}
	}
	return out
}

// handlerError words a service error as CloudFormation's resource
// handlers report it in stack events.
func handlerError(err error) error {
	var e *localcloud.Error
	if !errors.As(err, &e) {
		return err
	}
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	code := "GeneralServiceException"
	switch e.Code {
	case "NotFoundException":
		code = "NotFound"
	case "AlreadyExistsException":
		code = "AlreadyExists"
	case "MalformedPolicyDocumentException", "ValidationException", "TagException", "UnsupportedOperationException":
		code = "InvalidRequest"
	case "LimitExceededException":
		code = "ServiceLimitExceeded"
	case "KMSInvalidStateException", "DisabledException":
		code = "InvalidRequest"
	}
	var id [16]byte
	_, _ = rand.Read(id[:])
	h := hex.EncodeToString(id[:])
	return fmt.Errorf("Resource handler returned message: %q (HandlerErrorCode: %s)",
		fmt.Sprintf("%s (Service: Kms, Status Code: %d, Request ID: %s-%s-%s-%s-%s)", e.Message, status, h[:8], h[8:12], h[12:16], h[16:20], h[20:]), code)
}

func result(k *Key) *cfnengine.ResourceResult {
	return &cfnengine.ResourceResult{PhysicalID: k.KeyID, Ref: k.KeyID,
		Attributes: map[string]any{"Arn": k.Arn, "KeyId": k.KeyID}}
}

func regionCtx(ctx context.Context, req *cfnengine.ResourceRequest) context.Context {
	if req.Region != "" {
		return WithRegion(ctx, req.Region)
	}
	return ctx
}

// Create makes the key, then sets its rotation and enabled state.
func (p *keyProvider) Create(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	ctx = regionCtx(ctx, req)
	props, err := decodeKey(req)
	if err != nil {
		return nil, err
	}
	policy, err := props.policy()
	if err != nil {
		return nil, err
	}
	k, err := p.svc.CreateKey(ctx, CreateKeyInput{Policy: policy, Description: props.Description, KeyUsage: props.KeyUsage,
		KeySpec: props.KeySpec, Origin: props.Origin, MultiRegion: props.MultiRegion, Tags: props.tags(),
		BypassPolicyLockoutSafetyCheck: props.BypassPolicyLockoutSafetyCheck})
	if err != nil {
		return nil, handlerError(err)
	}
	if err := p.apply(ctx, k.KeyID, props); err != nil {
		_, _ = p.svc.ScheduleKeyDeletion(ctx, k.KeyID, 7)
		return nil, err
	}
	return result(k), nil
}

// apply sets rotation and the enabled state (rotation first while the key
// is still enabled; enabling first when it is to be enabled).
func (p *keyProvider) apply(ctx context.Context, id string, props keyProps) error {
	enabled := props.Enabled == nil || *props.Enabled
	if enabled {
		if err := p.svc.EnableKey(ctx, id); err != nil {
			return handlerError(err)
		}
	}
	k, err := p.svc.DescribeKey(ctx, id)
	if err != nil {
		return handlerError(err)
	}
	rotationChanged := props.EnableKeyRotation != k.RotationEnabled ||
		(props.EnableKeyRotation && props.RotationPeriodInDays != 0 && props.RotationPeriodInDays != k.RotationPeriodInDays)
	if rotationChanged {
		if !k.Enabled() {
			// Rotation cannot change on a disabled key: enable it for the
			// change, then disable it again below.
			if err := p.svc.EnableKey(ctx, id); err != nil {
				return handlerError(err)
			}
		}
		if props.EnableKeyRotation {
			err = p.svc.EnableKeyRotation(ctx, id, props.RotationPeriodInDays)
		} else {
			err = p.svc.DisableKeyRotation(ctx, id)
		}
		if err != nil {
			return handlerError(err)
		}
	}
	if !enabled {
		if err := p.svc.DisableKey(ctx, id); err != nil {
			return handlerError(err)
		}
	}
	return nil
}

// Update changes the description, key policy, rotation, enabled state and
// tags in place.
func (p *keyProvider) Update(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	ctx = regionCtx(ctx, req)
	props, err := decodeKey(req)
	if err != nil {
		return nil, err
	}
	id := req.PhysicalID
	k, err := p.svc.DescribeKey(ctx, id)
	if err != nil {
		return nil, handlerError(err)
	}
	if k.Description != props.Description {
		if err := p.svc.UpdateKeyDescription(ctx, id, props.Description); err != nil {
			return nil, handlerError(err)
		}
	}
	policy, err := props.policy()
	if err != nil {
		return nil, err
	}
	if policy != k.Policy {
		if err := p.svc.PutKeyPolicy(ctx, id, "default", policy); err != nil {
			return nil, handlerError(err)
		}
	}
	if err := p.apply(ctx, id, props); err != nil {
		return nil, err
	}
	want := props.tags()
	var drop []string
	for _, t := range k.Tags {
		keep := false
		for _, n := range want {
			keep = keep || n.TagKey == t.TagKey
		}
		if !keep {
			drop = append(drop, t.TagKey)
		}
	}
	if len(drop) > 0 {
		if err := p.svc.UntagResource(ctx, id, drop); err != nil {
			return nil, handlerError(err)
		}
	}
	if len(want) > 0 {
		if err := p.svc.TagResource(ctx, id, want); err != nil {
			return nil, handlerError(err)
		}
	}
	return result(k), nil
}

// Delete schedules the key's deletion after PendingWindowInDays (default
// 30), as CloudFormation does; a key already gone or pending deletion is
// deleted.
func (p *keyProvider) Delete(ctx context.Context, req *cfnengine.ResourceRequest) error {
	ctx = regionCtx(ctx, req)
	window := 30
	var props keyProps
	if err := req.Decode(&props); err == nil && props.PendingWindowInDays != 0 {
		window = props.PendingWindowInDays
	}
	k, err := p.svc.DescribeKey(ctx, req.PhysicalID)
	if IsNotFound(err) {
		return nil
	}
	if err != nil {
		return handlerError(err)
	}
	if k.KeyState == StatePendingDeletion {
		return nil
	}
	if _, err := p.svc.ScheduleKeyDeletion(ctx, req.PhysicalID, window); err != nil {
		return handlerError(err)
	}
	return nil
}
