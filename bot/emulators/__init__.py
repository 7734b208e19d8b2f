"""Local stand-ins for messaging platforms, faithful enough that the real SDKs cannot tell."""
