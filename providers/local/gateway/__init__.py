"""The local HTTP gateway: what API Gateway / a Function URL, Google's front end or the Azure
Functions host do in front of the runtime, on 127.0.0.1."""
