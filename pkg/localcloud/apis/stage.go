package apis

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Stage is a REST API stage.
type Stage struct {
	DeploymentID        string                   `json:"deploymentId"`
	StageName           string                   `json:"stageName"`
	Description         string                   `json:"description,omitempty"`
	CacheClusterEnabled bool                     `json:"cacheClusterEnabled"`
	CacheClusterStatus  string                   `json:"cacheClusterStatus,omitempty"`
	MethodSettings      map[string]MethodSetting `json:"methodSettings"`
	Variables           map[string]string        `json:"variables,omitempty"`
	AccessLogSettings   *StageAccessLogSettings  `json:"accessLogSettings,omitempty"`
	TracingEnabled      bool                     `json:"tracingEnabled"`
	Tags                map[string]string        `json:"tags,omitempty"`
	CreatedDate         localcloud.Time          `json:"createdDate"`
	LastUpdatedDate     localcloud.Time          `json:"lastUpdatedDate"`
}

// StageAccessLogSettings is where a REST API stage writes access logs.
type StageAccessLogSettings struct {
	Format         string `json:"format,omitempty"`
	DestinationARN string `json:"destinationArn,omitempty"`
}

// MethodSetting is a stage's setting for a method ("*/*": all of them).
type MethodSetting struct {
	MetricsEnabled                         bool    `json:"metricsEnabled"`
	LoggingLevel                           string  `json:"loggingLevel,omitempty"`
	DataTraceEnabled                       bool    `json:"dataTraceEnabled"`
	ThrottlingBurstLimit                   int     `json:"throttlingBurstLimit"`
	ThrottlingRateLimit                    float64 `json:"throttlingRateLimit"`
	CachingEnabled                         bool    `json:"cachingEnabled"`
	CacheTTLInSeconds                      int     `json:"cacheTtlInSeconds"`
	CacheDataEncrypted                     bool    `json:"cacheDataEncrypted"`
	RequireAuthorizationForCacheControl    bool    `json:"requireAuthorizationForCacheControl"`
	UnauthorizedCacheControlHeaderStrategy string  `json:"unauthorizedCacheControlHeaderStrategy,omitempty"`
}

// Stages is GetStages' answer.
type Stages struct {
	Items []Stage `json:"item"`
}

// CreateStageInput is CreateStage's input.
type CreateStageInput struct {
	RestAPIID      string            `json:"-"`
	StageName      string            `json:"stageName"`
	DeploymentID   string            `json:"deploymentId"`
	Description    string            `json:"description"`
	Variables      map[string]string `json:"variables"`
	TracingEnabled bool              `json:"tracingEnabled"`
	Tags           map[string]string `json:"tags"`
	// MethodSettings and AccessLogSettings are not CreateStage's (the API
	// sets them with UpdateStage) but CloudFormation's Stage sets them at
	// create.
	MethodSettings    map[string]MethodSetting `json:"-"`
	AccessLogSettings *StageAccessLogSettings  `json:"-"`
}

// DeployedStage is what a REST API stage serves: the deployment's
// snapshot of resources, methods and integrations.
type DeployedStage struct {
	API        RestAPI
	Stage      Stage
	Deployment Deployment
	Resources  []Resource
}

var stageNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

func invalidStage() error { return notFound("Invalid stage identifier specified") }

func listStages(tx *localcloud.Tx, restID string) ([]Stage, error) {
	var out []Stage
	err := tx.Scan(tStages, restID+"/", func(_ string, raw []byte) error {
		var st Stage
		if err := json.Unmarshal(raw, &st); err != nil {
			return err
		}
		out = append(out, st)
		return nil
	})
	return out, err
}

// CreateStage makes a stage serving a deployment.
func (s *Service) CreateStage(_ context.Context, in CreateStageInput) (st *Stage, err error) {
	if !stageNameRE.MatchString(in.StageName) {
		return nil, badRequest("Stage name only allows a-zA-Z0-9_")
	}
	err = s.store.Update(func(tx *localcloud.Tx) error {
		if _, err := getDeployment(tx, in.RestAPIID, in.DeploymentID); err != nil {
			return err
		}
		if found, err := tx.Get(tStages, restKey(in.RestAPIID, in.StageName), &Stage{}); err != nil || found {
			if found {
				return conflict("Stage already exists")
			}
			return err
		}
		now := localcloud.Time(s.now())
		st = &Stage{DeploymentID: in.DeploymentID, StageName: in.StageName, Description: in.Description, CacheClusterStatus: "NOT_AVAILABLE",
			MethodSettings: in.MethodSettings, Variables: in.Variables, TracingEnabled: in.TracingEnabled, Tags: in.Tags,
			AccessLogSettings: in.AccessLogSettings, CreatedDate: now, LastUpdatedDate: now}
		if st.MethodSettings == nil {
			st.MethodSettings = map[string]MethodSetting{}
		}
		return tx.Put(tStages, restKey(in.RestAPIID, in.StageName), st)
	})
	return st, err
}

func getStage(tx *localcloud.Tx, restID, name string) (*Stage, error) {
	if _, err := getRestAPI(tx, restID); err != nil {
		return nil, err
	}
	var st Stage
	found, err := tx.Get(tStages, restKey(restID, name), &st)
	if err != nil {
		return nil, err
	}
	if !found || name == "" {
		return nil, invalidStage()
	}
	return &st, nil
}

// GetStage returns a stage.
func (s *Service) GetStage(_ context.Context, restID, name string) (st *Stage, err error) {
	err = s.store.View(func(tx *localcloud.Tx) error {
		st, err = getStage(tx, restID, name)
		return err
	})
	return st, err
}

// GetStages returns a REST API's stages, only deploymentID's when given.
func (s *Service) GetStages(_ context.Context, restID, deploymentID string) (*Stages, error) {
	out := &Stages{Items: []Stage{}}
	err := s.store.View(func(tx *localcloud.Tx) error {
		if _, err := getRestAPI(tx, restID); err != nil {
			return err
		}
		all, err := listStages(tx, restID)
		for _, st := range all {
			if deploymentID == "" || st.DeploymentID == deploymentID {
				out.Items = append(out.Items, st)
			}
		}
		return err
	})
	return out, err
}

// UpdateStage applies patch operations to a stage: /deploymentId,
// /description, /tracingEnabled, /cacheClusterEnabled, /variables/<name>
// and method settings (/<resource path>/<method>/<setting>, "/*/*/..."
// for all methods).
func (s *Service) UpdateStage(_ context.Context, restID, name string, ops []PatchOperation) (st *Stage, err error) {
	err = s.store.Update(func(tx *localcloud.Tx) error {
		if st, err = getStage(tx, restID, name); err != nil {
			return err
		}
		for _, op := range ops {
			if err := patchStage(tx, restID, st, op); err != nil {
				return err
			}
		}
		st.LastUpdatedDate = localcloud.Time(s.now())
		return tx.Put(tStages, restKey(restID, name), st)
	})
	return st, err
}

// stageUpdate runs fn on a stage in place (the CloudFormation provider's
// update); a changed deployment id must name a deployment.
func (s *Service) stageUpdate(restID, name string, fn func(*Stage)) (st *Stage, err error) {
	err = s.store.Update(func(tx *localcloud.Tx) error {
		if st, err = getStage(tx, restID, name); err != nil {
			return err
		}
		fn(st)
		if _, err := getDeployment(tx, restID, st.DeploymentID); err != nil {
			return err
		}
		st.LastUpdatedDate = localcloud.Time(s.now())
		return tx.Put(tStages, restKey(restID, name), st)
	})
	return st, err
}

func patchStage(tx *localcloud.Tx, restID string, st *Stage, op PatchOperation) error {
	if v, ok := strings.CutPrefix(op.Path, "/variables/"); ok {
		switch op.Op {
		case "replace", "add":
			if st.Variables == nil {
				st.Variables = map[string]string{}
			}
			st.Variables[v] = op.Value
		case "remove":
			delete(st.Variables, v)
		default:
			return badRequest("Invalid patch operation specified. Must be 'add'|'remove'|'replace'")
		}
		return nil
	}
	if op.Op != "replace" {
		return badRequest("Invalid patch operation specified. Must be one of: [replace] for path %s", op.Path)
	}
	switch op.Path {
	case "/deploymentId":
		if _, err := getDeployment(tx, restID, op.Value); err != nil {
			return err
		}
		st.DeploymentID = op.Value
		return nil
	case "/description":
		st.Description = op.Value
		return nil
	case "/tracingEnabled":
		st.TracingEnabled = op.Value == "true"
		return nil
	case "/cacheClusterEnabled":
		st.CacheClusterEnabled = op.Value == "true"
		return nil
	}
	parts := strings.SplitN(strings.TrimPrefix(op.Path, "/"), "/", 3)
	if len(parts) == 3 && (parts[1] == "*" || slices.Contains(httpMethods, parts[1])) {
		key := parts[0] + "/" + parts[1]
		ms := st.MethodSettings[key]
		if err := setMethodSetting(&ms, parts[2], op.Value); err != nil {
			return err
		}
		if st.MethodSettings == nil {
			st.MethodSettings = map[string]MethodSetting{}
		}
		st.MethodSettings[key] = ms
		return nil
	}
	return badRequest("Invalid patch path '%s' specified for op 'replace'. Must be one of: [/deploymentId, /description, /tracingEnabled, /cacheClusterEnabled, /variables/<name>, /<resourcePath>/<httpMethod>/<setting>]", op.Path)
}

func setMethodSetting(ms *MethodSetting, setting, value string) error {
	b := value == "true"
	num := func() (float64, error) {
		f, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return 0, badRequest("Invalid value specified for %s: %s", setting, value)
		}
		return f, nil
	}
	switch setting {
	case "metrics/enabled":
		ms.MetricsEnabled = b
	case "logging/dataTrace":
		ms.DataTraceEnabled = b
	case "logging/loglevel":
		if value != "OFF" && value != "ERROR" && value != "INFO" {
			return badRequest("Invalid logging level specified: %s. Valid values are: OFF, ERROR, INFO", value)
		}
		ms.LoggingLevel = value
	case "throttling/burstLimit":
		f, err := num()
		ms.ThrottlingBurstLimit = int(f)
		return err
	case "throttling/rateLimit":
		f, err := num()
		ms.ThrottlingRateLimit = f
		return err
	case "caching/enabled":
		ms.CachingEnabled = b
	case "caching/ttlInSeconds":
		f, err := num()
		ms.CacheTTLInSeconds = int(f)
		return err
	case "caching/dataEncrypted":
		ms.CacheDataEncrypted = b
	case "caching/requireAuthorizationForCacheControl":
		ms.RequireAuthorizationForCacheControl = b
	case "caching/unauthorizedCacheControlHeaderStrategy":
		ms.UnauthorizedCacheControlHeaderStrategy = value
	default:
		return badRequest("Invalid method setting path: %s", setting)
	}
	return nil
}

// DeleteStage removes a stage.
func (s *Service) DeleteStage(_ context.Context, restID, name string) error {
	return s.store.Update(func(tx *localcloud.Tx) error {
		if _, err := getStage(tx, restID, name); err != nil {
			return err
		}
		return tx.Delete(tStages, restKey(restID, name))
	})
}

// RestAPIStage is what the stage of a REST API serves: its deployment's
// snapshot, for the data plane.
func (s *Service) RestAPIStage(_ context.Context, restID, stage string) (*DeployedStage, error) {
	var out DeployedStage
	err := s.store.View(func(tx *localcloud.Tx) error {
		api, err := getRestAPI(tx, restID)
		if err != nil {
			return err
		}
		st, err := getStage(tx, restID, stage)
		if err != nil {
			return err
		}
		rec, err := getDeployment(tx, restID, st.DeploymentID)
		if err != nil {
			return err
		}
		out = DeployedStage{API: *api, Stage: *st, Deployment: rec.Deployment, Resources: rec.Resources}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
