package objects

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/johannesboyne/gofakes3"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// ListBucket lists the current, live objects of a bucket, page by page,
// rolling keys up into common prefixes as S3 does.
func (b *backend) ListBucket(name string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	if prefix == nil {
		prefix = &gofakes3.Prefix{}
	}
	var recs []objectRecord
	err := b.s.store.View(func(tx *localcloud.Tx) error {
		if _, err := getBucket(tx, name); err != nil {
			return err
		}
		start := name + "/"
		if prefix.HasPrefix {
			start += prefix.Prefix
		}
		return tx.Scan(tableObjects, start, func(k string, raw []byte) error {
			key := strings.TrimPrefix(k, name+"/")
			if page.HasMarker && key <= page.Marker {
				return nil
			}
			var o objectRecord
			if err := json.Unmarshal(raw, &o); err != nil {
				return err
			}
			if !o.DeleteMarker {
				recs = append(recs, o)
			}
			return nil
		})
	})
	if err != nil {
		return nil, b.conv(err)
	}
	out := gofakes3.NewObjectList()
	var match gofakes3.PrefixMatch
	var count int64
	lastPrefix, lastKey := "", ""
	for i, o := range recs {
		if !prefix.Match(o.Key, &match) {
			continue
		}
		if match.CommonPrefix {
			if match.MatchedPart == lastPrefix {
				lastKey = o.Key
				continue
			}
			out.AddPrefix(match.MatchedPart)
			lastPrefix = match.MatchedPart
		} else {
			out.Add(&gofakes3.Content{Key: o.Key, LastModified: gofakes3.NewContentTime(o.LastModified), ETag: o.ETag, Size: o.Size,
				StorageClass: gofakes3.StorageStandard, Owner: &gofakes3.UserInfo{ID: ownerID, DisplayName: "local"}})
		}
		lastKey = o.Key
		count++
		if page.MaxKeys > 0 && count >= page.MaxKeys {
			next := lastKey
			for _, rest := range recs[i+1:] {
				var m gofakes3.PrefixMatch
				if !prefix.Match(rest.Key, &m) {
					continue
				}
				if m.CommonPrefix && m.MatchedPart == lastPrefix {
					next = rest.Key
					continue
				}
				out.IsTruncated = true
				out.NextMarker = next
				break
			}
			break
		}
	}
	return out, nil
}

// ListBucketVersions lists every version and delete marker, by key and
// newest first within a key.
func (b *backend) ListBucketVersions(bucket string, prefix *gofakes3.Prefix, page *gofakes3.ListBucketVersionsPage) (*gofakes3.ListBucketVersionsResult, error) {
	if prefix == nil {
		prefix = &gofakes3.Prefix{}
	}
	if page == nil {
		page = &gofakes3.ListBucketVersionsPage{}
	}
	var all []objectRecord
	latest := map[string]string{}
	err := b.s.store.View(func(tx *localcloud.Tx) error {
		if _, err := getBucket(tx, bucket); err != nil {
			return err
		}
		collect := func(current bool) func(string, []byte) error {
			return func(_ string, raw []byte) error {
				var o objectRecord
				if err := json.Unmarshal(raw, &o); err != nil {
					return err
				}
				if current {
					latest[o.Key] = o.versionIDOrNull()
				}
				all = append(all, o)
				return nil
			}
		}
		if err := tx.Scan(tableObjects, bucket+"/", collect(true)); err != nil {
			return err
		}
		return tx.Scan(tableVersions, bucket+"/", collect(false))
	})
	if err != nil {
		return nil, b.conv(err)
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].Key != all[j].Key {
			return all[i].Key < all[j].Key
		}
		return all[i].Seq > all[j].Seq
	})
	out := gofakes3.NewListBucketVersionsResult(bucket, prefix, page)
	started := !page.HasKeyMarker
	var match gofakes3.PrefixMatch
	var count int64
	var last objectRecord
	for _, o := range all {
		if !started {
			if o.Key < page.KeyMarker || (o.Key == page.KeyMarker && !page.HasVersionIDMarker) {
				continue
			}
			if o.Key == page.KeyMarker {
				if o.versionIDOrNull() == string(page.VersionIDMarker) {
					started = true
				}
				continue
			}
			started = true
		}
		if !prefix.Match(o.Key, &match) {
			continue
		}
		if page.MaxKeys > 0 && count >= page.MaxKeys {
			out.IsTruncated = true
			out.NextKeyMarker = last.Key
			out.NextVersionIDMarker = gofakes3.VersionID(last.versionIDOrNull())
			break
		}
		if match.CommonPrefix {
			out.AddPrefix(match.MatchedPart)
			continue
		}
		isLatest := latest[o.Key] == o.versionIDOrNull()
		owner := &gofakes3.UserInfo{ID: ownerID, DisplayName: "local"}
		if o.DeleteMarker {
			out.Versions = append(out.Versions, &gofakes3.DeleteMarker{Key: o.Key, VersionID: gofakes3.VersionID(o.versionIDOrNull()),
				IsLatest: isLatest, LastModified: gofakes3.NewContentTime(o.LastModified), Owner: owner})
		} else {
			out.Versions = append(out.Versions, &gofakes3.Version{Key: o.Key, VersionID: gofakes3.VersionID(o.versionIDOrNull()),
				IsLatest: isLatest, LastModified: gofakes3.NewContentTime(o.LastModified), Size: o.Size, ETag: o.ETag, Owner: owner})
		}
		last = o
		count++
	}
	return out, nil
}
