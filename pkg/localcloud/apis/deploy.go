package apis

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Deployment is a REST API deployment as API Gateway returns it.
type Deployment struct {
	ID          string                               `json:"id"`
	Description string                               `json:"description,omitempty"`
	CreatedDate localcloud.Time                      `json:"createdDate"`
	APISummary  map[string]map[string]MethodSnapshot `json:"apiSummary,omitempty"`
}

// MethodSnapshot is a method as a deployment's summary shows it.
type MethodSnapshot struct {
	AuthorizationType string `json:"authorizationType,omitempty"`
	APIKeyRequired    bool   `json:"apiKeyRequired"`
}

// Deployments is a page of GetDeployments.
type Deployments struct {
	Position string       `json:"position,omitempty"`
	Items    []Deployment `json:"item"`
}

// deploymentRecord is a deployment with the snapshot of the API's
// resources, methods and integrations taken when it was made.
type deploymentRecord struct {
	Deployment
	Resources []Resource `json:"resources"`
}

// CreateDeploymentInput is CreateDeployment's input; StageName, when
// given, makes (or moves) that stage to the new deployment.
type CreateDeploymentInput struct {
	RestAPIID        string            `json:"-"`
	StageName        string            `json:"stageName"`
	StageDescription string            `json:"stageDescription"`
	Description      string            `json:"description"`
	Variables        map[string]string `json:"variables"`
	TracingEnabled   bool              `json:"tracingEnabled"`
}

func invalidDeployment() error { return notFound("Invalid Deployment identifier specified") }

func apiSummary(resources []Resource) map[string]map[string]MethodSnapshot {
	out := map[string]map[string]MethodSnapshot{}
	for _, r := range resources {
		for verb, m := range r.ResourceMethods {
			if out[r.Path] == nil {
				out[r.Path] = map[string]MethodSnapshot{}
			}
			out[r.Path][verb] = MethodSnapshot{AuthorizationType: m.AuthorizationType, APIKeyRequired: m.APIKeyRequired != nil && *m.APIKeyRequired}
		}
	}
	return out
}

// CreateDeployment snapshots the REST API's resources, methods and
// integrations; the API needs at least one method and every method an
// integration.
func (s *Service) CreateDeployment(_ context.Context, in CreateDeploymentInput) (d *Deployment, err error) {
	if in.StageName != "" && !stageNameRE.MatchString(in.StageName) {
		return nil, badRequest("Stage name only allows a-zA-Z0-9_")
	}
	err = s.store.Update(func(tx *localcloud.Tx) error {
		if _, err := getRestAPI(tx, in.RestAPIID); err != nil {
			return err
		}
		resources, err := listResources(tx, in.RestAPIID)
		if err != nil {
			return err
		}
		methods := 0
		for _, r := range resources {
			verbs := make([]string, 0, len(r.ResourceMethods))
			for v := range r.ResourceMethods {
				verbs = append(verbs, v)
			}
			sort.Strings(verbs)
			for _, v := range verbs {
				methods++
				if r.ResourceMethods[v].MethodIntegration == nil {
					return badRequest("No integration defined for method")
				}
			}
		}
		if methods == 0 {
			return badRequest("The REST API doesn't contain any methods")
		}
		rec := deploymentRecord{Deployment: Deployment{ID: newID(6), Description: in.Description, CreatedDate: localcloud.Time(s.now())}, Resources: resources}
		if err := tx.Put(tDeployments, restKey(in.RestAPIID, rec.ID), rec); err != nil {
			return err
		}
		d = &rec.Deployment
		if in.StageName == "" {
			return nil
		}
		var st Stage
		found, err := tx.Get(tStages, restKey(in.RestAPIID, in.StageName), &st)
		if err != nil {
			return err
		}
		if !found {
			st = Stage{StageName: in.StageName, CreatedDate: localcloud.Time(s.now()), CacheClusterStatus: "NOT_AVAILABLE", MethodSettings: map[string]MethodSetting{}}
		}
		st.DeploymentID, st.Description, st.TracingEnabled = rec.ID, in.StageDescription, in.TracingEnabled
		if in.Variables != nil {
			st.Variables = in.Variables
		}
		st.LastUpdatedDate = localcloud.Time(s.now())
		return tx.Put(tStages, restKey(in.RestAPIID, in.StageName), st)
	})
	return d, err
}

func getDeployment(tx *localcloud.Tx, restID, id string) (*deploymentRecord, error) {
	if _, err := getRestAPI(tx, restID); err != nil {
		return nil, err
	}
	var rec deploymentRecord
	found, err := tx.Get(tDeployments, restKey(restID, id), &rec)
	if err != nil {
		return nil, err
	}
	if !found || id == "" {
		return nil, invalidDeployment()
	}
	return &rec, nil
}

// GetDeployment returns a deployment, with its API summary when
// withSummary (embed=apisummary).
func (s *Service) GetDeployment(_ context.Context, restID, id string, withSummary bool) (*Deployment, error) {
	var rec *deploymentRecord
	err := s.store.View(func(tx *localcloud.Tx) (err error) {
		rec, err = getDeployment(tx, restID, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	d := rec.Deployment
	if withSummary {
		d.APISummary = apiSummary(rec.Resources)
	}
	return &d, nil
}

// GetDeployments returns a page of a REST API's deployments.
func (s *Service) GetDeployments(_ context.Context, restID, position string, limit int) (*Deployments, error) {
	byID := map[string]Deployment{}
	var keys []string
	err := s.store.View(func(tx *localcloud.Tx) error {
		if _, err := getRestAPI(tx, restID); err != nil {
			return err
		}
		return tx.Scan(tDeployments, restID+"/", func(_ string, raw []byte) error {
			var rec deploymentRecord
			if err := json.Unmarshal(raw, &rec); err != nil {
				return err
			}
			byID[rec.ID] = rec.Deployment
			keys = append(keys, rec.ID)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	ks, next, err := page(keys, position, limit, 25, 500)
	if err != nil {
		return nil, err
	}
	out := &Deployments{Position: next, Items: []Deployment{}}
	for _, k := range ks {
		out.Items = append(out.Items, byID[k])
	}
	return out, nil
}

// DeleteDeployment removes a deployment no stage uses.
func (s *Service) DeleteDeployment(_ context.Context, restID, id string) error {
	return s.store.Update(func(tx *localcloud.Tx) error {
		if _, err := getDeployment(tx, restID, id); err != nil {
			return err
		}
		stages, err := listStages(tx, restID)
		if err != nil {
			return err
		}
		for _, st := range stages {
			if st.DeploymentID == id {
				return badRequest("Active stages pointing to this deployment must be moved or deleted")
			}
		}
		return tx.Delete(tDeployments, restKey(restID, id))
	})
}
