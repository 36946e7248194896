package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
)

// SecretProvider provisions AWS::SecretsManager::Secret through svc: Ref
// and Fn::GetAtt Id are the secret's ARN.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-secretsmanager-secret.html
func SecretProvider(svc *Service) cfnengine.Provider { return &secretProvider{svc} }

type secretProvider struct{ svc *Service }

func (p *secretProvider) Type() string { return "AWS::SecretsManager::Secret" }

func (p *secretProvider) CreateOnlyProperties() []string { return []string{"Name"} }

// generateProps is GenerateSecretString.
type generateProps struct {
	PasswordOptions
	SecretStringTemplate, GenerateStringKey string
}

type secretProps struct {
	Name, Description, KmsKeyId, SecretString *string
	GenerateSecretString                      *generateProps
	Tags                                      []Tag
	ReplicaRegions                            []any
}

var secretProperties = map[string]bool{"Name": true, "Description": true, "KmsKeyId": true, "SecretString": true,
	"GenerateSecretString": true, "Tags": true, "ReplicaRegions": true}

func decodeSecret(req *cfnengine.ResourceRequest, props map[string]any) (*secretProps, error) {
	for k := range props {
		if !secretProperties[k] {
			return nil, fmt.Errorf("Encountered unsupported property %s", k)
		}
	}
	var sp secretProps
	if err := cfnengine.DecodeProperties(props, &sp); err != nil {
		return nil, fmt.Errorf("Properties validation failed for resource %s: %v", req.LogicalID, err)
	}
	if len(sp.ReplicaRegions) > 0 {
		return nil, errors.New("Resource handler returned message: \"the local cloud does not support property ReplicaRegions of AWS::SecretsManager::Secret\" (HandlerErrorCode: InvalidRequest)")
	}
	if sp.SecretString != nil && sp.GenerateSecretString != nil {
		return nil, handlerError(invalidParameter("You can't specify both SecretString and GenerateSecretString."))
	}
	if g := sp.GenerateSecretString; g != nil && (g.SecretStringTemplate == "") != (g.GenerateStringKey == "") {
		return nil, handlerError(invalidParameter("To generate a secret in JSON, specify both SecretStringTemplate and GenerateStringKey."))
	}
	return &sp, nil
}

// value is the secret string the properties give: SecretString, or a
// generated password (inside SecretStringTemplate under
// GenerateStringKey, when they are given).
func (sp *secretProps) value() (*string, error) {
	g := sp.GenerateSecretString
	if g == nil {
		return sp.SecretString, nil
	}
	pw, err := RandomPassword(g.PasswordOptions)
	if err != nil {
		return nil, handlerError(err)
	}
	if g.GenerateStringKey == "" {
		return &pw, nil
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(g.SecretStringTemplate), &doc); err != nil || doc == nil {
		return nil, handlerError(invalidParameter("The SecretStringTemplate must be a JSON object."))
	}
	doc[g.GenerateStringKey] = pw
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	s := string(b)
	return &s, nil
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func handlerError(err error) error {
	var e *localcloud.Error
	if !errors.As(err, &e) {
		return err
	}
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	code := "InvalidRequest"
	switch e.Code {
	case "ResourceNotFoundException":
		code = "NotFound"
	case "ResourceExistsException":
		code = "AlreadyExists"
	}
	return fmt.Errorf("Resource handler returned message: \"%s (Service: SecretsManager, Status Code: %d, Request ID: %s)\" (HandlerErrorCode: %s)",
		e.Message, status, localcloud.NewID(), code)
}

func result(sec *Secret) *cfnengine.ResourceResult {
	return &cfnengine.ResourceResult{PhysicalID: sec.ARN, Ref: sec.ARN, Attributes: map[string]any{"Id": sec.ARN}}
}

func region(req *cfnengine.ResourceRequest) string {
	if req.Region == "" {
		return localcloud.Region
	}
	return req.Region
}

// Create makes the secret; without a Name, CloudFormation's own:
// "<logicalId>-<12 random characters>".
func (p *secretProvider) Create(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	sp, err := decodeSecret(req, req.Properties)
	if err != nil {
		return nil, err
	}
	name := str(sp.Name)
	if name == "" {
		name = req.LogicalID + "-" + randomSuffix() + randomSuffix()
	}
	value, err := sp.value()
	if err != nil {
		return nil, err
	}
	sec, _, err := p.svc.CreateSecret(ctx, region(req), CreateInput{Name: name, Description: str(sp.Description),
		KmsKeyID: str(sp.KmsKeyId), SecretString: value, Tags: sp.Tags})
	if err != nil {
		return nil, handlerError(err)
	}
	return result(sec), nil
}

// Update changes the description, key and tags in place, and puts a new
// AWSCURRENT version when SecretString or GenerateSecretString changed.
func (p *secretProvider) Update(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	sp, err := decodeSecret(req, req.Properties)
	if err != nil {
		return nil, err
	}
	old, err := decodeSecret(req, req.OldProperties)
	if err != nil {
		old = &secretProps{}
	}
	in := UpdateInput{SecretID: req.PhysicalID}
	desc, key := str(sp.Description), str(sp.KmsKeyId)
	in.Description, in.KmsKeyID = &desc, &key
	if !reflect.DeepEqual(sp.SecretString, old.SecretString) || !reflect.DeepEqual(sp.GenerateSecretString, old.GenerateSecretString) {
		if in.SecretString, err = sp.value(); err != nil {
			return nil, err
		}
	}
	sec, _, err := p.svc.UpdateSecret(ctx, region(req), in)
	if err != nil {
		return nil, handlerError(err)
	}
	var drop []string
	for _, t := range sec.Tags {
		keep := false
		for _, n := range sp.Tags {
			keep = keep || n.Key == t.Key
		}
		if !keep {
			drop = append(drop, t.Key)
		}
	}
	if len(drop) > 0 {
		if err := p.svc.UntagResource(ctx, region(req), sec.ARN, drop); err != nil {
			return nil, handlerError(err)
		}
	}
	if len(sp.Tags) > 0 {
		if err := p.svc.TagResource(ctx, region(req), sec.ARN, sp.Tags); err != nil {
			return nil, handlerError(err)
		}
	}
	return result(sec), nil
}

// Delete deletes the secret without a recovery window, as
// CloudFormation's handler does, so the stack can make it again.
func (p *secretProvider) Delete(ctx context.Context, req *cfnengine.ResourceRequest) error {
	_, _, _, err := p.svc.DeleteSecret(ctx, region(req), req.PhysicalID, nil, true)
	if err != nil {
		return handlerError(err)
	}
	return nil
}
