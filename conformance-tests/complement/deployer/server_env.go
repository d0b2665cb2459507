package deployer

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// sharedSecret is the registration shared secret Complement's client hard-codes for
// /_synapse/admin/v1/register; Cairn gets it as its registration_shared_secret setting.
const sharedSecret = "complement"

// newHomeserver prepares a data dir and the environment of one Cairn process. tls may be nil
// (the template server).
func newHomeserver(s *settings, name, dataDir, logPath string, tls *tlsMaterial) (*homeserver, error) {
	clientPort, err := freePort()
	if err != nil {
		return nil, err
	}
	federationPort, err := freePort()
	if err != nil {
		return nil, err
	}
	hs := &homeserver{
		name:           name,
		dataDir:        dataDir,
		logPath:        logPath,
		clientPort:     clientPort,
		federationPort: federationPort,
		fedScheme:      "https",
	}
	hs.env = serverEnv(s, hs, tls)
	return hs, nil
}

// serverEnv is the process environment minus anything CAIRN_* (the runner's own database URL or
// config file must not leak in), plus the server's configuration as CAIRN_* variables (see
// server/config/config-keys.ts), plus whatever COMPLEMENT_SHARE_ENV_PREFIX passes through.
func serverEnv(s *settings, hs *homeserver, tls *tlsMaterial) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CAIRN_") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"CAIRN_SERVER_NAME="+hs.name,
		"CAIRN_REGISTRATION_SHARED_SECRET="+sharedSecret,
		"CAIRN_DATA_DIR="+hs.dataDir,
		"CAIRN_BIND_ADDRESS=127.0.0.1",
		"CAIRN_CLIENT_PORT="+strconv.Itoa(hs.clientPort),
		"CAIRN_FEDERATION_PORT="+strconv.Itoa(hs.federationPort),
		"CAIRN_PUBLIC_BASEURL="+hs.clientURL()+"/",
		"CAIRN_ENABLE_REGISTRATION=true",
		"CAIRN_LOG_LEVEL="+s.logLevel,
		// Complement expects device names over federation (Synapse's Complement image allows it).
		"CAIRN_FEDERATION_DEVICE_NAMES=true",
	)
	// Complement's clients send far faster than people, and Synapse's Complement image turns its
	// rate limits off too. The same list as conformance-tests/support/no-rate-limits.ts.
	for _, limit := range []string{"MESSAGES", "JOINS", "INVITES", "LOGIN", "FAILED_LOGIN", "REGISTRATION"} {
		env = append(env, "CAIRN_RATE_LIMIT_"+limit+"_PER_SECOND=0")
	}
	if tls != nil {
		env = append(env,
			// The federation listener serves the certificate signed by Complement's CA, as a
			// homeserver in one of Complement's containers does.
			"CAIRN_FEDERATION_TLS_CERT_PATH="+tls.serverCertPath,
			"CAIRN_FEDERATION_TLS_KEY_PATH="+tls.serverKeyPath,
			// Outbound federation trusts that CA (Complement's own federation servers present
			// certificates it signed) and may reach loopback, where every server of the run listens.
			"CAIRN_FEDERATION_CA_FILE="+tls.caCertPath,
			"CAIRN_FEDERATION_ALLOW_PRIVATE_NETWORKS=true",
			// For any other outbound TLS, through Node's default trust store.
			"NODE_EXTRA_CA_CERTS="+tls.caCertPath,
		)
	}
	if prefix := os.Getenv("COMPLEMENT_SHARE_ENV_PREFIX"); prefix != "" {
		for _, kv := range os.Environ() {
			if strings.HasPrefix(kv, prefix) {
				env = append(env, strings.TrimPrefix(kv, prefix))
			}
		}
	}
	return env
}

func (hs *homeserver) String() string {
	return fmt.Sprintf("%s (client %s, federation port %d, data %s)", hs.name, hs.clientURL(), hs.federationPort, hs.dataDir)
}
