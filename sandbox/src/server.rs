//! The accept loop: one hyper HTTP/1 connection per socket, closing a socket without a reply when
//! a fault asks for it, and a bounded graceful shutdown.

use std::time::Duration;

use axum::extract::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;

use crate::routes;

/// Accept loop: one hyper HTTP/1 connection per socket; a response marked
/// [`routes::DropConnection`] makes the service fail, which closes the socket without a reply.
pub(crate) async fn serve(listener: TcpListener, router: axum::Router, mut shutdown: oneshot::Receiver<()>) {
    let (close_tx, close_rx) = watch::channel(false);
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        tracing::warn!(error = %e, "sandbox accept failed");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let svc = TowerToHyperService::new(router.clone());
                let mut close = close_rx.clone();
                conns.spawn(async move {
                    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                        let fut = hyper::service::Service::call(&svc, req);
                        async move {
                            let resp = match fut.await {
                                Ok(resp) => resp,
                                Err(never) => match never {},
                            };
                            if resp.extensions().get::<routes::DropConnection>().is_some() {
                                return Err(std::io::Error::other("sandbox fault: connection dropped"));
                            }
                            Ok(resp)
                        }
                    });
                    let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                    tokio::pin!(conn);
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        _ = async {
                            while !*close.borrow() {
                                if close.changed().await.is_err() {
                                    break;
                                }
                            }
                        } => {
                            conn.as_mut().graceful_shutdown();
                            let _ = conn.await;
                        }
                    }
                });
            }
        }
        while conns.try_join_next().is_some() {}
    }
    let _ = close_tx.send(true);
    let drain = async { while conns.join_next().await.is_some() {} };
    if tokio::time::timeout(Duration::from_secs(2), drain).await.is_err() {
        conns.abort_all();
    }
}
