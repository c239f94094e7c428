// A reverse proxy as strict as Go-based ingress controllers (Traefik): Go's HTTP server answers a request
// whose request line holds an invalid percent-escape (a%zz, %E0%A4%A) with its own plain-text 400 before any
// handler runs. Like an Ingress rule with a host, it forwards only requests whose Host header is -host and
// answers 404 to the rest, so a client that forgets the Host header fails. `npm run test:smoke` runs the smoke
// suite through it (test/integration/smoke.test.ts builds it with go build). Standard library only.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on (port 0: any free port)")
	target := flag.String("target", "", "URL of the service, e.g. http://127.0.0.1:8080")
	host := flag.String("host", "", "the only Host header forwarded (the Ingress rule's host)")
	flag.Parse()
	targetURL, err := url.Parse(*target)
	if err != nil || targetURL.Host == "" || *host == "" {
		fmt.Fprintln(os.Stderr, "usage: strict-proxy -target http://HOST:PORT -host NAME [-listen ADDR]")
		os.Exit(2)
	}
	proxy := httputil.NewSingleHostReverseProxy(targetURL)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != *host {
			http.Error(w, "404 page not found: no rule for host "+r.Host, http.StatusNotFound)
			return
		}
		proxy.ServeHTTP(w, r)
	})
	listener, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	// The test harness reads the port from this line.
	fmt.Printf("listening on %s\n", listener.Addr())
	log.Fatal(http.Serve(listener, handler))
}
