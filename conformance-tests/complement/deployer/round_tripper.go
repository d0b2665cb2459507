package deployer

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// RoundTripper routes the requests of Complement's own federation servers and clients, addressed
// to https://hs1/..., to that server's federation listener, as Docker's DNS and port mapping do.
// The Host header keeps the server name. Requests to the host running Complement (its own
// federation servers, https://<COMPLEMENT_HOSTNAME_RUNNING_COMPLEMENT>:port) go to localhost.
func (d *Deployment) RoundTripper() http.RoundTripper {
	return &roundTripper{d: d}
}

type roundTripper struct {
	d *Deployment
}

func newFederationTransport() *http.Transport {
	return &http.Transport{
		// The certificates are test material; Complement's own transport does not verify either.
		TLSClientConfig:     &tls.Config{InsecureSkipVerify: true}, //nolint:gosec
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConnsPerHost: 4,
	}
}

func (rt *roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	host := req.URL.Hostname()
	var target *url.URL
	if host == rt.d.cfg.HostnameRunningComplement || host == "localhost" {
		target = &url.URL{Scheme: "https", Host: "localhost"}
		if port := req.URL.Port(); port != "" {
			target.Host += ":" + port
		}
	} else {
		hs, ok := rt.d.servers[host]
		if !ok {
			return nil, fmt.Errorf("cairn deployer: no homeserver named %q in this deployment", host)
		}
		parsed, err := url.Parse(hs.federationURL())
		if err != nil {
			return nil, err
		}
		target = parsed
	}
	out := req.Clone(req.Context())
	out.URL.Scheme = target.Scheme
	out.URL.Host = target.Host
	if out.Host == "" {
		out.Host = req.URL.Host
	}
	return rt.d.transport.RoundTrip(out)
}
