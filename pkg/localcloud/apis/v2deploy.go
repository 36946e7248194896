package apis

import (
	"context"
	"sort"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// V2Deployment is an HTTP API deployment.
type V2Deployment struct {
	AutoDeployed            bool    `json:"autoDeployed"`
	CreatedDate             isoTime `json:"createdDate"`
	DeploymentID            string  `json:"deploymentId"`
	DeploymentStatus        string  `json:"deploymentStatus"`
	DeploymentStatusMessage string  `json:"deploymentStatusMessage,omitempty"`
	Description             string  `json:"description,omitempty"`
}

// DeploymentsPage is a page of GetDeployments.
type DeploymentsPage struct {
	Items     []V2Deployment `json:"items"`
	NextToken string         `json:"nextToken,omitempty"`
}

// v2DeploymentRecord is a deployment with the routes and integrations it
// deployed.
type v2DeploymentRecord struct {
	V2Deployment
	Routes       []Route         `json:"routes"`
	Integrations []V2Integration `json:"integrations"`
}

// HTTPAPIView is an HTTP API with its routes, integrations and stages as
// they are now.
type HTTPAPIView struct {
	API          HTTPAPI
	Routes       []Route
	Integrations []V2Integration
	Stages       []V2Stage
}

// HTTPDeployedStage is what an HTTP API stage serves: its deployment's
// routes and integrations.
type HTTPDeployedStage struct {
	API          HTTPAPI
	Stage        V2Stage
	Deployment   V2Deployment
	Routes       []Route
	Integrations []V2Integration
}

func invalidV2Deployment(id string) error {
	return notFound("Invalid Deployment identifier specified %s", id)
}

func getV2Deployment(tx *localcloud.Tx, apiID, id string) (*v2DeploymentRecord, error) {
	var rec v2DeploymentRecord
	found, err := tx.Get(tV2Deploys, v2Key(apiID, id), &rec)
	if err != nil {
		return nil, err
	}
	if !found || id == "" {
		return nil, invalidV2Deployment(id)
	}
	return &rec, nil
}

// autoDeploy deploys the HTTP API's current routes and integrations to
// each of its stages with AutoDeploy, as API Gateway does after every
// change.
func (s *Service) autoDeploy(tx *localcloud.Tx, apiID string) error {
	stages, err := scanV2[V2Stage](tx, tV2Stages, apiID)
	if err != nil {
		return err
	}
	var rec *v2DeploymentRecord
	for _, st := range stages {
		if !st.AutoDeploy {
			continue
		}
		if rec == nil {
			if rec, err = s.snapshot(tx, apiID, "Automatic deployment triggered by changes to the Api configuration", true); err != nil {
				if _, ok := err.(noRoutes); ok {
					st.LastDeploymentStatusMessage = "Deployment attempt failed: Unable to deploy API because no routes exist in this API"
					if err := tx.Put(tV2Stages, v2Key(apiID, st.StageName), st); err != nil {
						return err
					}
					rec = nil
					continue
				}
				return err
			}
		}
		old := st.DeploymentID
		st.DeploymentID = rec.DeploymentID
		st.LastDeploymentStatusMessage = "Successfully deployed stage with deployment ID '" + rec.DeploymentID + "'"
		st.LastUpdatedDate = isoTime(s.now())
		if err := tx.Put(tV2Stages, v2Key(apiID, st.StageName), st); err != nil {
			return err
		}
		if err := s.dropUnusedAutoDeployment(tx, apiID, old); err != nil {
			return err
		}
	}
	return nil
}

// dropUnusedAutoDeployment removes an automatic deployment no stage
// serves any more, so that a long-lived API's changes do not pile up.
func (s *Service) dropUnusedAutoDeployment(tx *localcloud.Tx, apiID, id string) error {
	if id == "" {
		return nil
	}
	rec, err := getV2Deployment(tx, apiID, id)
	if err != nil || !rec.AutoDeployed {
		return nil
	}
	stages, err := scanV2[V2Stage](tx, tV2Stages, apiID)
	if err != nil {
		return err
	}
	for _, st := range stages {
		if st.DeploymentID == id {
			return nil
		}
	}
	return tx.Delete(tV2Deploys, v2Key(apiID, id))
}

type noRoutes struct{ error }

// snapshot stores a deployment of the API's routes and integrations now.
func (s *Service) snapshot(tx *localcloud.Tx, apiID, description string, auto bool) (*v2DeploymentRecord, error) {
	routes, err := scanV2[Route](tx, tRoutes, apiID)
	if err != nil {
		return nil, err
	}
	if len(routes) == 0 {
		return nil, noRoutes{badRequest("At least one route is required before deploying the Api.")}
	}
	integs, err := scanV2[V2Integration](tx, tIntegrations, apiID)
	if err != nil {
		return nil, err
	}
	rec := &v2DeploymentRecord{
		V2Deployment: V2Deployment{AutoDeployed: auto, CreatedDate: isoTime(s.now()), DeploymentID: newID(6), DeploymentStatus: "DEPLOYED", Description: description},
		Routes:       routes, Integrations: integs,
	}
	return rec, tx.Put(tV2Deploys, v2Key(apiID, rec.DeploymentID), rec)
}

// CreateDeploymentV2 deploys the HTTP API's routes and integrations, to
// stageName when given.
func (s *Service) CreateDeploymentV2(_ context.Context, apiID, description, stageName string) (d *V2Deployment, err error) {
	err = s.store.Update(func(tx *localcloud.Tx) error {
		if _, err := getHTTPAPI(tx, apiID); err != nil {
			return err
		}
		var st *V2Stage
		if stageName != "" {
			if st, err = getV2Stage(tx, apiID, stageName); err != nil {
				return err
			}
		}
		rec, err := s.snapshot(tx, apiID, description, false)
		if err != nil {
			return err
		}
		d = &rec.V2Deployment
		if st == nil {
			return nil
		}
		old := st.DeploymentID
		st.DeploymentID, st.LastUpdatedDate = rec.DeploymentID, isoTime(s.now())
		if err := tx.Put(tV2Stages, v2Key(apiID, stageName), st); err != nil {
			return err
		}
		return s.dropUnusedAutoDeployment(tx, apiID, old)
	})
	return d, err
}

// GetDeploymentV2 returns an HTTP API deployment.
func (s *Service) GetDeploymentV2(_ context.Context, apiID, id string) (d *V2Deployment, err error) {
	err = s.store.View(func(tx *localcloud.Tx) error {
		if _, err := getHTTPAPI(tx, apiID); err != nil {
			return err
		}
		rec, err := getV2Deployment(tx, apiID, id)
		if err == nil {
			d = &rec.V2Deployment
		}
		return err
	})
	return d, err
}

// GetDeploymentsV2 returns a page of an HTTP API's deployments.
func (s *Service) GetDeploymentsV2(_ context.Context, apiID, nextToken string, maxResults int) (*DeploymentsPage, error) {
	var all []v2DeploymentRecord
	err := s.store.View(func(tx *localcloud.Tx) (err error) {
		if _, err := getHTTPAPI(tx, apiID); err != nil {
			return err
		}
		all, err = scanV2[v2DeploymentRecord](tx, tV2Deploys, apiID)
		return err
	})
	if err != nil {
		return nil, err
	}
	byID := map[string]V2Deployment{}
	keys := []string{}
	for _, x := range all {
		byID[x.DeploymentID] = x.V2Deployment
		keys = append(keys, x.DeploymentID)
	}
	ks, next, err := page(keys, nextToken, maxResults, 500, 500)
	if err != nil {
		return nil, err
	}
	out := &DeploymentsPage{Items: []V2Deployment{}, NextToken: next}
	for _, k := range ks {
		out.Items = append(out.Items, byID[k])
	}
	return out, nil
}

// DeleteDeploymentV2 removes a deployment no stage serves.
func (s *Service) DeleteDeploymentV2(_ context.Context, apiID, id string) error {
	return s.store.Update(func(tx *localcloud.Tx) error {
		if _, err := getHTTPAPI(tx, apiID); err != nil {
			return err
		}
		if _, err := getV2Deployment(tx, apiID, id); err != nil {
			return err
		}
		stages, err := scanV2[V2Stage](tx, tV2Stages, apiID)
		if err != nil {
			return err
		}
		for _, st := range stages {
			if st.DeploymentID == id {
				return badRequest("Deployment %s cannot be deleted: stage %s serves it", id, st.StageName)
			}
		}
		return tx.Delete(tV2Deploys, v2Key(apiID, id))
	})
}

// HTTPAPI returns an HTTP API with its routes, integrations and stages as
// they are now, for the data plane.
func (s *Service) HTTPAPI(_ context.Context, apiID string) (*HTTPAPIView, error) {
	var v HTTPAPIView
	err := s.store.View(func(tx *localcloud.Tx) error {
		api, err := getHTTPAPI(tx, apiID)
		if err != nil {
			return err
		}
		v.API = *api
		if v.Routes, err = scanV2[Route](tx, tRoutes, apiID); err != nil {
			return err
		}
		if v.Integrations, err = scanV2[V2Integration](tx, tIntegrations, apiID); err != nil {
			return err
		}
		v.Stages, err = scanV2[V2Stage](tx, tV2Stages, apiID)
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(v.Routes, func(i, j int) bool { return v.Routes[i].RouteKey < v.Routes[j].RouteKey })
	return &v, nil
}

// HTTPAPIStage is what an HTTP API stage serves: the routes and
// integrations of its deployment, for the data plane.
func (s *Service) HTTPAPIStage(_ context.Context, apiID, stage string) (*HTTPDeployedStage, error) {
	var out HTTPDeployedStage
	err := s.store.View(func(tx *localcloud.Tx) error {
		st, err := getV2Stage(tx, apiID, stage)
		if err != nil {
			return err
		}
		if st.DeploymentID == "" {
			return notFound("Stage %s of API %s has no deployment", stage, apiID)
		}
		rec, err := getV2Deployment(tx, apiID, st.DeploymentID)
		if err != nil {
			return err
		}
		api, err := getHTTPAPI(tx, apiID)
		if err != nil {
			return err
		}
		out = HTTPDeployedStage{API: *api, Stage: *st, Deployment: rec.V2Deployment, Routes: rec.Routes, Integrations: rec.Integrations}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
