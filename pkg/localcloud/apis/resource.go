package apis

import (
	"context"
	"encoding/json"
	"regexp"
	"sort"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Resource is a REST API resource (a path) with its methods.
type Resource struct {
	ID              string             `json:"id"`
	ParentID        string             `json:"parentId,omitempty"`
	PathPart        string             `json:"pathPart,omitempty"`
	Path            string             `json:"path"`
	ResourceMethods map[string]*Method `json:"resourceMethods,omitempty"`
}

// Resources is a page of GetResources.
type Resources struct {
	Position string     `json:"position,omitempty"`
	Items    []Resource `json:"item"`
}

var pathPartRE = regexp.MustCompile(`^(\{[A-Za-z0-9._-]+\+?\}|[A-Za-z0-9._:@~!$&'()*,;=-]+)$`)

func invalidResource() error { return notFound("Invalid Resource identifier specified") }

func getResource(tx *localcloud.Tx, restID, resID string) (*Resource, error) {
	if _, err := getRestAPI(tx, restID); err != nil {
		return nil, err
	}
	var r Resource
	found, err := tx.Get(tResources, restKey(restID, resID), &r)
	if err != nil {
		return nil, err
	}
	if !found || resID == "" {
		return nil, invalidResource()
	}
	return &r, nil
}

func listResources(tx *localcloud.Tx, restID string) ([]Resource, error) {
	var out []Resource
	err := tx.Scan(tResources, restID+"/", func(_ string, raw []byte) error {
		var r Resource
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, err
}

// summary drops a resource's method details: GetResources and
// GetResource without embed=methods name the methods only.
func summary(r Resource) Resource {
	if len(r.ResourceMethods) > 0 {
		m := map[string]*Method{}
		for k := range r.ResourceMethods {
			m[k] = &Method{}
		}
		r.ResourceMethods = m
	}
	return r
}

// GetResources returns a page of a REST API's resources (limit default
// 25, at most 500), their methods in full when embedMethods.
func (s *Service) GetResources(_ context.Context, restID, position string, limit int, embedMethods bool) (*Resources, error) {
	var all []Resource
	err := s.store.View(func(tx *localcloud.Tx) error {
		if _, err := getRestAPI(tx, restID); err != nil {
			return err
		}
		var err error
		all, err = listResources(tx, restID)
		return err
	})
	if err != nil {
		return nil, err
	}
	byID := map[string]Resource{}
	keys := make([]string, 0, len(all))
	for _, r := range all {
		byID[r.ID] = r
		keys = append(keys, r.ID)
	}
	ks, next, err := page(keys, position, limit, 25, 500)
	if err != nil {
		return nil, err
	}
	out := &Resources{Position: next, Items: []Resource{}}
	for _, k := range ks {
		r := byID[k]
		if !embedMethods {
			r = summary(r)
		}
		out.Items = append(out.Items, r)
	}
	return out, nil
}

// GetResource returns one resource, its methods in full when embedMethods.
func (s *Service) GetResource(_ context.Context, restID, resID string, embedMethods bool) (r *Resource, err error) {
	err = s.store.View(func(tx *localcloud.Tx) error {
		r, err = getResource(tx, restID, resID)
		return err
	})
	if err == nil && !embedMethods {
		sr := summary(*r)
		r = &sr
	}
	return r, err
}

// CreateResource adds the child pathPart under parentID.
func (s *Service) CreateResource(_ context.Context, restID, parentID, pathPart string) (r *Resource, err error) {
	if !pathPartRE.MatchString(pathPart) {
		return nil, badRequest("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.")
	}
	err = s.store.Update(func(tx *localcloud.Tx) error {
		parent, err := getResource(tx, restID, parentID)
		if err != nil {
			return err
		}
		if strings.HasSuffix(parent.PathPart, "+}") {
			return badRequest("Cannot create a child of a resource with a greedy path variable: %s", parent.Path)
		}
		siblings, err := listResources(tx, restID)
		if err != nil {
			return err
		}
		for _, sib := range siblings {
			if sib.ParentID != parentID {
				continue
			}
			if sib.PathPart == pathPart {
				return conflict("Another resource with the same parent already has this name: %s", pathPart)
			}
			if strings.HasPrefix(sib.PathPart, "{") && strings.HasPrefix(pathPart, "{") {
				return badRequest("A sibling (%s) of this resource already has a variable path part -- only one is allowed", sib.PathPart)
			}
		}
		path := strings.TrimSuffix(parent.Path, "/") + "/" + pathPart
		r = &Resource{ID: newID(10), ParentID: parentID, PathPart: pathPart, Path: path}
		return tx.Put(tResources, restKey(restID, r.ID), r)
	})
	return r, err
}

// DeleteResource removes a resource and everything under it; the root
// cannot be deleted.
func (s *Service) DeleteResource(_ context.Context, restID, resID string) error {
	return s.store.Update(func(tx *localcloud.Tx) error {
		r, err := getResource(tx, restID, resID)
		if err != nil {
			return err
		}
		if r.ParentID == "" {
			return badRequest("Cannot delete root resource")
		}
		all, err := listResources(tx, restID)
		if err != nil {
			return err
		}
		for _, x := range all {
			if x.ID == r.ID || strings.HasPrefix(x.Path, r.Path+"/") {
				if err := tx.Delete(tResources, restKey(restID, x.ID)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// updateResource runs fn on one resource in a transaction and stores it.
func (s *Service) updateResource(restID, resID string, fn func(*Resource) error) error {
	return s.store.Update(func(tx *localcloud.Tx) error {
		r, err := getResource(tx, restID, resID)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
		return tx.Put(tResources, restKey(restID, resID), r)
	})
}
