package apis

import (
	"context"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
)

// DeploymentProvider provisions AWS::ApiGateway::Deployment, snapshotting
// the REST API at create: Ref is the deployment id; Fn::GetAtt gives
// DeploymentId. A StageName makes that stage for it.
func DeploymentProvider(s *Service) cfnengine.Provider { return &deploymentProvider{s} }

type deploymentProvider struct{ s *Service }

type cfnDeployment struct {
	RestApiID        string `json:"RestApiId"`
	Description      string `json:"Description"`
	StageName        string `json:"StageName"`
	StageDescription *struct {
		Description    string            `json:"Description"`
		TracingEnabled bool              `json:"TracingEnabled"`
		Variables      map[string]string `json:"Variables"`
	} `json:"StageDescription"`
}

func (p *deploymentProvider) Type() string                   { return "AWS::ApiGateway::Deployment" }
func (p *deploymentProvider) CreateOnlyProperties() []string { return []string{"RestApiId"} }

func (p *deploymentProvider) Create(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	if err := refuse(p.Type(), req.Properties, "DeploymentCanarySettings"); err != nil {
		return nil, err
	}
	var v cfnDeployment
	if err := req.Decode(&v); err != nil {
		return nil, propErr(p.Type(), "%v", err)
	}
	if v.RestApiID == "" {
		return nil, propErr(p.Type(), "#: required key [RestApiId] not found")
	}
	in := CreateDeploymentInput{RestAPIID: v.RestApiID, Description: v.Description, StageName: v.StageName}
	if sd := v.StageDescription; sd != nil {
		in.StageDescription, in.TracingEnabled, in.Variables = sd.Description, sd.TracingEnabled, sd.Variables
	}
	d, err := p.s.CreateDeployment(ctx, in)
	if err != nil {
		return nil, handlerErr(err)
	}
	return &cfnengine.ResourceResult{PhysicalID: d.ID, Attributes: map[string]any{"DeploymentId": d.ID}}, p.s.remember(req, cfnParents{APIID: v.RestApiID})
}

// Update changes the description in place (a new snapshot needs a new
// deployment, as in AWS: its logical id changes).
func (p *deploymentProvider) Update(_ context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	var v cfnDeployment
	if err := req.Decode(&v); err != nil {
		return nil, propErr(p.Type(), "%v", err)
	}
	err := p.s.store.Update(func(tx *localcloud.Tx) error {
		rec, err := getDeployment(tx, v.RestApiID, req.PhysicalID)
		if err != nil {
			return err
		}
		rec.Description = v.Description
		return tx.Put(tDeployments, restKey(v.RestApiID, rec.ID), rec)
	})
	if err != nil {
		return nil, handlerErr(err)
	}
	return &cfnengine.ResourceResult{PhysicalID: req.PhysicalID, Attributes: map[string]any{"DeploymentId": req.PhysicalID}}, nil
}

func (p *deploymentProvider) Delete(ctx context.Context, req *cfnengine.ResourceRequest) error {
	par, err := p.s.parents(req, "RestApiId")
	if err != nil {
		return err
	}
	// The stage the deployment's StageName made goes with it.
	for _, props := range []map[string]any{req.Properties, req.OldProperties} {
		if name, _ := props["StageName"].(string); name != "" {
			if st, err := p.s.GetStage(ctx, par.APIID, name); err == nil && st.DeploymentID == req.PhysicalID {
				_ = p.s.DeleteStage(ctx, par.APIID, name)
			}
			break
		}
	}
	if err := p.s.DeleteDeployment(ctx, par.APIID, req.PhysicalID); err != nil && !gone(err) {
		return handlerErr(err)
	}
	return p.s.forget(req)
}

// StageProvider provisions AWS::ApiGateway::Stage: Ref is the stage name.
func StageProvider(s *Service) cfnengine.Provider { return &stageProvider{s} }

type stageProvider struct{ s *Service }

type cfnStage struct {
	RestApiID        string `json:"RestApiId"`
	StageName        string `json:"StageName"`
	DeploymentID     string `json:"DeploymentId"`
	Description      string `json:"Description"`
	TracingEnabled   bool   `json:"TracingEnabled"`
	AccessLogSetting *struct {
		DestinationArn string `json:"DestinationArn"`
		Format         string `json:"Format"`
	} `json:"AccessLogSetting"`
	CacheClusterEnabled bool              `json:"CacheClusterEnabled"`
	Variables           map[string]string `json:"Variables"`
	Tags                []cfnTag          `json:"Tags"`
	MethodSettings      []struct {
		HTTPMethod           string   `json:"HttpMethod"`
		ResourcePath         string   `json:"ResourcePath"`
		CacheDataEncrypted   bool     `json:"CacheDataEncrypted"`
		CacheTTLInSeconds    int      `json:"CacheTtlInSeconds"`
		CachingEnabled       bool     `json:"CachingEnabled"`
		DataTraceEnabled     bool     `json:"DataTraceEnabled"`
		LoggingLevel         string   `json:"LoggingLevel"`
		MetricsEnabled       bool     `json:"MetricsEnabled"`
		ThrottlingBurstLimit *int     `json:"ThrottlingBurstLimit"`
		ThrottlingRateLimit  *float64 `json:"ThrottlingRateLimit"`
	} `json:"MethodSettings"`
}

func (p *stageProvider) Type() string                   { return "AWS::ApiGateway::Stage" }
func (p *stageProvider) CreateOnlyProperties() []string { return []string{"RestApiId", "StageName"} }

func (p *stageProvider) input(req *cfnengine.ResourceRequest) (CreateStageInput, error) {
	if err := refuse(p.Type(), req.Properties, "CanarySetting", "ClientCertificateId", "DocumentationVersion", "CacheClusterSize"); err != nil {
		return CreateStageInput{}, err
	}
	var v cfnStage
	if err := req.Decode(&v); err != nil {
		return CreateStageInput{}, propErr(p.Type(), "%v", err)
	}
	if v.RestApiID == "" {
		return CreateStageInput{}, propErr(p.Type(), "#: required key [RestApiId] not found")
	}
	if v.StageName == "" {
		v.StageName = req.PhysicalName(128, false)
	}
	in := CreateStageInput{RestAPIID: v.RestApiID, StageName: v.StageName, DeploymentID: v.DeploymentID, Description: v.Description,
		Variables: v.Variables, TracingEnabled: v.TracingEnabled, Tags: tagMap(v.Tags), MethodSettings: map[string]MethodSetting{}}
	if a := v.AccessLogSetting; a != nil {
		in.AccessLogSettings = &StageAccessLogSettings{DestinationARN: a.DestinationArn, Format: a.Format}
	}
	for _, ms := range v.MethodSettings {
		path := ms.ResourcePath
		if path == "" || path == "/*" {
			path = "*"
		} else {
			path = strings.ReplaceAll(path, "/", "~1")
		}
		verb := ms.HTTPMethod
		if verb == "" {
			verb = "*"
		}
		set := MethodSetting{MetricsEnabled: ms.MetricsEnabled, LoggingLevel: ms.LoggingLevel, DataTraceEnabled: ms.DataTraceEnabled,
			CachingEnabled: ms.CachingEnabled, CacheTTLInSeconds: ms.CacheTTLInSeconds, CacheDataEncrypted: ms.CacheDataEncrypted,
			ThrottlingBurstLimit: 5000, ThrottlingRateLimit: 10000, UnauthorizedCacheControlHeaderStrategy: "SUCCEED_WITH_RESPONSE_HEADER"}
		if set.LoggingLevel == "" {
			set.LoggingLevel = "OFF"
		}
		if ms.ThrottlingBurstLimit != nil {
			set.ThrottlingBurstLimit = *ms.ThrottlingBurstLimit
		}
		if ms.ThrottlingRateLimit != nil {
			set.ThrottlingRateLimit = *ms.ThrottlingRateLimit
		}
		in.MethodSettings[path+"/"+verb] = set
	}
	return in, nil
}

func (p *stageProvider) Create(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	in, err := p.input(req)
	if err != nil {
		return nil, err
	}
	st, err := p.s.CreateStage(ctx, in)
	if err != nil {
		return nil, handlerErr(err)
	}
	return &cfnengine.ResourceResult{PhysicalID: st.StageName}, p.s.remember(req, cfnParents{APIID: in.RestAPIID})
}

func (p *stageProvider) Update(_ context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	in, err := p.input(req)
	if err != nil {
		return nil, err
	}
	st, err := p.s.stageUpdate(in.RestAPIID, req.PhysicalID, func(st *Stage) {
		st.DeploymentID, st.Description, st.Variables, st.TracingEnabled = in.DeploymentID, in.Description, in.Variables, in.TracingEnabled
		st.Tags, st.MethodSettings, st.AccessLogSettings = in.Tags, in.MethodSettings, in.AccessLogSettings
	})
	if err != nil {
		return nil, handlerErr(err)
	}
	return &cfnengine.ResourceResult{PhysicalID: st.StageName}, nil
}

func (p *stageProvider) Delete(ctx context.Context, req *cfnengine.ResourceRequest) error {
	par, err := p.s.parents(req, "RestApiId")
	if err != nil {
		return err
	}
	if err := p.s.DeleteStage(ctx, par.APIID, req.PhysicalID); err != nil && !gone(err) {
		return handlerErr(err)
	}
	return p.s.forget(req)
}
