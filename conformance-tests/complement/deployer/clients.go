package deployer

import (
	"fmt"
	"sync"
	"time"

	"github.com/matrix-org/complement/client"
	"github.com/matrix-org/complement/ct"
	"github.com/matrix-org/complement/helpers"
	"github.com/matrix-org/gomatrixserverlib"
)

// defaultPassword is the password Complement's Docker deployment gives users registered without
// one; tests log in again with it.
const defaultPassword = "complement_meets_min_password_req"

// clientRegistry remembers every client handed out, per server, so that a restarted server's
// clients follow it if its URL changes.
type clientRegistry struct {
	mu      sync.Mutex
	clients map[string][]*client.CSAPI
}

func (r *clientRegistry) add(hsName string, c *client.CSAPI) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.clients == nil {
		r.clients = map[string][]*client.CSAPI{}
	}
	r.clients[hsName] = append(r.clients[hsName], c)
}

func (r *clientRegistry) repoint(hsName, baseURL string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.clients[hsName] {
		c.BaseURL = baseURL
	}
}

func (d *Deployment) newClient(t ct.TestLike, hsName string, password string) *client.CSAPI {
	t.Helper()
	hs := d.server(t, hsName)
	c := client.NewCSAPI(client.CSAPIOpts{
		BaseURL:          hs.clientURL(),
		Client:           client.NewLoggedClient(t, hsName, nil),
		SyncUntilTimeout: 5 * time.Second,
		Debug:            d.cfg.DebugLoggingEnabled,
		Password:         password,
	})
	d.clients.add(hsName, c)
	return c
}

func (d *Deployment) UnauthenticatedClient(t ct.TestLike, hsName string) *client.CSAPI {
	t.Helper()
	return d.newClient(t, hsName, "")
}

// Register creates user-<n>[-suffix]: through /register with m.login.dummy, or for an admin
// through Synapse's shared-secret admin API, as Complement's Docker deployment does.
func (d *Deployment) Register(t ct.TestLike, hsName string, opts helpers.RegistrationOpts) *client.CSAPI {
	t.Helper()
	password := opts.Password
	if password == "" {
		password = defaultPassword
	}
	c := d.newClient(t, hsName, password)
	localpart := fmt.Sprintf("user-%d", d.localpartCounter.Add(1))
	if opts.LocalpartSuffix != "" {
		localpart += "-" + opts.LocalpartSuffix
	}
	if opts.IsAdmin {
		c.UserID, c.AccessToken, c.DeviceID = c.RegisterSharedSecret(t, localpart, password, true)
	} else {
		c.UserID, c.AccessToken, c.DeviceID = c.RegisterUser(t, localpart, password)
	}
	return c
}

func (d *Deployment) Login(t ct.TestLike, hsName string, existing *client.CSAPI, opts helpers.LoginOpts) *client.CSAPI {
	t.Helper()
	localpart, _, err := gomatrixserverlib.SplitID('@', existing.UserID)
	if err != nil {
		ct.Fatalf(t, "Login: existing client has an invalid user ID %q: %s", existing.UserID, err)
	}
	password := existing.Password
	if opts.Password != "" {
		password = opts.Password
	}
	c := d.newClient(t, hsName, password)
	var reqOpts []client.LoginOpt
	if opts.DeviceID != "" {
		reqOpts = append(reqOpts, client.WithDeviceID(opts.DeviceID))
	}
	c.UserID, c.AccessToken, c.DeviceID = c.LoginUser(t, localpart, password, reqOpts...)
	return c
}

// AppServiceUser needs application services, which only blueprint deployments register.
func (d *Deployment) AppServiceUser(t ct.TestLike, hsName, appServiceUserID string) *client.CSAPI {
	t.Helper()
	if appServiceUserID == "" {
		return d.UnauthenticatedClient(t, hsName)
	}
	ct.Fatalf(t, "AppServiceUser(%s): the Cairn deployer registers no application services", appServiceUserID)
	return nil
}
