package apis

import (
	"context"
	"regexp"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// V2Stage is an HTTP API stage.
type V2Stage struct {
	AccessLogSettings           *AccessLogSettings       `json:"accessLogSettings,omitempty"`
	APIGatewayManaged           bool                     `json:"apiGatewayManaged,omitempty"`
	AutoDeploy                  bool                     `json:"autoDeploy"`
	ClientCertificateID         string                   `json:"clientCertificateId,omitempty"`
	CreatedDate                 isoTime                  `json:"createdDate"`
	DefaultRouteSettings        *RouteSettings           `json:"defaultRouteSettings,omitempty"`
	DeploymentID                string                   `json:"deploymentId,omitempty"`
	Description                 string                   `json:"description,omitempty"`
	LastDeploymentStatusMessage string                   `json:"lastDeploymentStatusMessage,omitempty"`
	LastUpdatedDate             isoTime                  `json:"lastUpdatedDate"`
	RouteSettings               map[string]RouteSettings `json:"routeSettings,omitempty"`
	StageName                   string                   `json:"stageName"`
	StageVariables              map[string]string        `json:"stageVariables,omitempty"`
	Tags                        map[string]string        `json:"tags,omitempty"`
}

// AccessLogSettings is where an HTTP API stage writes access logs.
type AccessLogSettings struct {
	DestinationARN string `json:"destinationArn,omitempty"`
	Format         string `json:"format,omitempty"`
}

// RouteSettings are a stage's throttling and metrics for its routes.
type RouteSettings struct {
	DataTraceEnabled       *bool    `json:"dataTraceEnabled,omitempty"`
	DetailedMetricsEnabled *bool    `json:"detailedMetricsEnabled,omitempty"`
	LoggingLevel           *string  `json:"loggingLevel,omitempty"`
	ThrottlingBurstLimit   *int     `json:"throttlingBurstLimit,omitempty"`
	ThrottlingRateLimit    *float64 `json:"throttlingRateLimit,omitempty"`
}

// StageInput is CreateStage's and UpdateStage's input; nil is not given.
type StageInput struct {
	StageName            *string                  `json:"stageName"`
	AccessLogSettings    *AccessLogSettings       `json:"accessLogSettings"`
	AutoDeploy           *bool                    `json:"autoDeploy"`
	ClientCertificateID  *string                  `json:"clientCertificateId"`
	DefaultRouteSettings *RouteSettings           `json:"defaultRouteSettings"`
	DeploymentID         *string                  `json:"deploymentId"`
	Description          *string                  `json:"description"`
	RouteSettings        map[string]RouteSettings `json:"routeSettings"`
	StageVariables       map[string]string        `json:"stageVariables"`
	Tags                 map[string]string        `json:"tags"`
}

// StagesPage is a page of GetStages.
type StagesPage struct {
	Items     []V2Stage `json:"items"`
	NextToken string    `json:"nextToken,omitempty"`
}

var v2StageNameRE = regexp.MustCompile(`^(\$default|[A-Za-z0-9_-]{1,128})$`)

func invalidV2Stage(name string) error {
	return notFound("Invalid stage identifier specified %s", name)
}

func checkRouteSettings(rs *RouteSettings) error {
	if rs != nil && (rs.DataTraceEnabled != nil && *rs.DataTraceEnabled || rs.LoggingLevel != nil && *rs.LoggingLevel != "OFF") {
		return badRequest("Execution logs are not supported on protocolType HTTP")
	}
	return nil
}

func applyStageInput(tx *localcloud.Tx, apiID string, st *V2Stage, in StageInput) error {
	if in.ClientCertificateID != nil && *in.ClientCertificateID != "" {
		return badRequest("Client certificates are supported only for REST APIs and WebSocket APIs")
	}
	if in.AccessLogSettings != nil {
		st.AccessLogSettings = in.AccessLogSettings
	}
	if in.AutoDeploy != nil {
		st.AutoDeploy = *in.AutoDeploy
	}
	if in.DefaultRouteSettings != nil {
		if err := checkRouteSettings(in.DefaultRouteSettings); err != nil {
			return err
		}
		st.DefaultRouteSettings = in.DefaultRouteSettings
	}
	if in.RouteSettings != nil {
		for k, rs := range in.RouteSettings {
			if err := checkRouteSettings(&rs); err != nil {
				return err
			}
			if err := checkRouteKey(k); err != nil {
				return err
			}
		}
		st.RouteSettings = in.RouteSettings
	}
	if in.DeploymentID != nil && *in.DeploymentID != "" {
		if _, err := getV2Deployment(tx, apiID, *in.DeploymentID); err != nil {
			return err
		}
		st.DeploymentID = *in.DeploymentID
	}
	if in.Description != nil {
		st.Description = *in.Description
	}
	if in.StageVariables != nil {
		st.StageVariables = in.StageVariables
	}
	return nil
}

func getV2Stage(tx *localcloud.Tx, apiID, name string) (*V2Stage, error) {
	if _, err := getHTTPAPI(tx, apiID); err != nil {
		return nil, err
	}
	var st V2Stage
	found, err := tx.Get(tV2Stages, v2Key(apiID, name), &st)
	if err != nil {
		return nil, err
	}
	if !found || name == "" {
		return nil, invalidV2Stage(name)
	}
	return &st, nil
}

// CreateStageV2 adds a stage to an HTTP API; with AutoDeploy it is
// deployed at once (when the API has routes) and after every change.
func (s *Service) CreateStageV2(_ context.Context, apiID string, in StageInput) (st *V2Stage, err error) {
	if in.StageName == nil || *in.StageName == "" {
		return nil, badRequest("StageName is required")
	}
	if !v2StageNameRE.MatchString(*in.StageName) {
		return nil, badRequest("Stage name only allows a-zA-Z0-9_- or is $default")
	}
	now := isoTime(s.now())
	st = &V2Stage{StageName: *in.StageName, CreatedDate: now, LastUpdatedDate: now, Tags: in.Tags,
		DefaultRouteSettings: &RouteSettings{DetailedMetricsEnabled: new(bool)}}
	err = s.store.Update(func(tx *localcloud.Tx) error {
		if _, err := getHTTPAPI(tx, apiID); err != nil {
			return err
		}
		if found, err := tx.Get(tV2Stages, v2Key(apiID, st.StageName), &V2Stage{}); err != nil || found {
			if found {
				return conflict("Stage already exists")
			}
			return err
		}
		if err := applyStageInput(tx, apiID, st, in); err != nil {
			return err
		}
		if err := tx.Put(tV2Stages, v2Key(apiID, st.StageName), st); err != nil {
			return err
		}
		if !st.AutoDeploy {
			return nil
		}
		if err := s.autoDeploy(tx, apiID); err != nil {
			return err
		}
		_, err := tx.Get(tV2Stages, v2Key(apiID, st.StageName), st)
		return err
	})
	return st, err
}

// GetStageV2 returns an HTTP API stage.
func (s *Service) GetStageV2(_ context.Context, apiID, name string) (st *V2Stage, err error) {
	err = s.store.View(func(tx *localcloud.Tx) error {
		st, err = getV2Stage(tx, apiID, name)
		return err
	})
	return st, err
}

// GetStagesV2 returns a page of an HTTP API's stages.
func (s *Service) GetStagesV2(_ context.Context, apiID, nextToken string, maxResults int) (*StagesPage, error) {
	var all []V2Stage
	err := s.store.View(func(tx *localcloud.Tx) (err error) {
		if _, err := getHTTPAPI(tx, apiID); err != nil {
			return err
		}
		all, err = scanV2[V2Stage](tx, tV2Stages, apiID)
		return err
	})
	if err != nil {
		return nil, err
	}
	byName := map[string]V2Stage{}
	keys := []string{}
	for _, x := range all {
		byName[x.StageName] = x
		keys = append(keys, x.StageName)
	}
	ks, next, err := page(keys, nextToken, maxResults, 500, 500)
	if err != nil {
		return nil, err
	}
	out := &StagesPage{Items: []V2Stage{}, NextToken: next}
	for _, k := range ks {
		out.Items = append(out.Items, byName[k])
	}
	return out, nil
}

// UpdateStageV2 changes the fields in given; turning AutoDeploy on
// deploys at once.
func (s *Service) UpdateStageV2(_ context.Context, apiID, name string, in StageInput) (st *V2Stage, err error) {
	err = s.store.Update(func(tx *localcloud.Tx) error {
		if st, err = getV2Stage(tx, apiID, name); err != nil {
			return err
		}
		wasAuto := st.AutoDeploy
		if err := applyStageInput(tx, apiID, st, in); err != nil {
			return err
		}
		st.LastUpdatedDate = isoTime(s.now())
		if err := tx.Put(tV2Stages, v2Key(apiID, name), st); err != nil {
			return err
		}
		if !st.AutoDeploy || wasAuto {
			return nil
		}
		if err := s.autoDeploy(tx, apiID); err != nil {
			return err
		}
		_, err := tx.Get(tV2Stages, v2Key(apiID, name), st)
		return err
	})
	return st, err
}

// DeleteStageV2 removes an HTTP API stage.
func (s *Service) DeleteStageV2(_ context.Context, apiID, name string) error {
	return s.store.Update(func(tx *localcloud.Tx) error {
		st, err := getV2Stage(tx, apiID, name)
		if err != nil {
			return err
		}
		if err := tx.Delete(tV2Stages, v2Key(apiID, name)); err != nil {
			return err
		}
		return s.dropUnusedAutoDeployment(tx, apiID, st.DeploymentID)
	})
}
