package integration

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/stepforge/stepforge/pkg/outbox"
)

// The figures of the local-cloud issue, end to end through the system's
// public edges:
//
//	go test -run '^$' -bench . -benchtime 2000x ./integration/

func percentiles(b *testing.B, ds []time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	at := func(p float64) float64 { return float64(ds[int(p*float64(len(ds)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

func pizza(url string) (time.Duration, error) {
	t0 := time.Now()
	resp, err := apiClient.Post(url, "application/json", strings.NewReader(`{"flavour":"pepperoni"}`))
	if err != nil {
		return 0, err
	}
	var buf [512]byte
	for {
		if _, err := resp.Body.Read(buf[:]); err != nil {
			break
		}
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("answered %s", resp.Status)
	}
	return time.Since(t0), nil
}

// BenchmarkPizzaThroughTheHTTPAPI is one caller, warm: HTTP API ->
// StartSyncExecution -> the checker's process -> the answer.
func BenchmarkPizzaThroughTheHTTPAPI(b *testing.B) {
	url := sys.outputs["pizza"]["PizzaHttpApiPostPizzaUrl"]
	if _, err := pizza(url); err != nil {
		b.Fatal(err)
	}
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := pizza(url)
		if err != nil {
			b.Fatal(err)
		}
		ds = append(ds, d)
	}
	percentiles(b, ds)
}

// BenchmarkPizzaThroughTheHTTPAPI1000 is 1,000 concurrent callers.
func BenchmarkPizzaThroughTheHTTPAPI1000(b *testing.B) {
	url := sys.outputs["pizza"]["PizzaHttpApiPostPizzaUrl"]
	ds := make([]time.Duration, b.N)
	next := make(chan int, b.N)
	for i := 0; i < b.N; i++ {
		next <- i
	}
	close(next)
	var failed sync.Map
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < 1000; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				d, err := pizza(url)
				if err != nil {
					failed.Store(i, err)
				}
				ds[i] = d
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	failed.Range(func(k, v any) bool { b.Fatalf("request %v: %v", k, v); return false })
	percentiles(b, ds)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
}

// BenchmarkUploadToEmail is an upload the processor refuses, to the
// alarm's email in the outbox: S3 -> EventBridge -> Standard execution
// -> the processor's process -> SNS -> the .eml file.
func BenchmarkUploadToEmail(b *testing.B) {
	if sys.cloud == nil {
		b.Skip("the outbox is only on the local cloud")
	}
	ctx := context.Background()
	bucket := sys.outputs["upload-alarm"]["UploadsBucketName"]
	s3c := s3.NewFromConfig(sys.cfg, func(o *s3.Options) { o.UsePathStyle = true })
	dir := filepath.Join(sys.dir, "state", "outbox")
	ds := make([]time.Duration, 0, b.N)
	for i := 0; i < b.N; i++ {
		key := fmt.Sprintf("bench-%d-%d.txt", time.Now().UnixNano(), i)
		t0 := time.Now()
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("")}); err != nil {
			b.Fatal(err)
		}
		for found := false; !found; time.Sleep(time.Millisecond) {
			if time.Since(t0) > 30*time.Second {
				b.Fatalf("no email for %s", key)
			}
			mails, err := outbox.List(dir)
			if err != nil {
				b.Fatal(err)
			}
			for j := len(mails) - 1; j >= 0 && !found; j-- {
				found = strings.Contains(mails[j].Subject, key)
			}
		}
		ds = append(ds, time.Since(t0))
	}
	percentiles(b, ds)
}
