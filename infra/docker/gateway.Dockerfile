# The gateway image: ASP.NET Core + the co-hosted Orleans silo. Build from the repository root:
#   docker build -f infra/docker/gateway.Dockerfile -t anc-gateway .
# Not built on our machines (no container engine runs there, no base image can be pulled); CI runs the same
# build step (infra/docker/build.sh) and starts its output with this image's ENV and infra/docker/gateway.env.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN infra/docker/build.sh gateway /app

# Chiseled Ubuntu: no shell, no package manager, runs as the non-root "app" user (UID 1654). Enough for the app:
# its native libraries (ML.NET's) need only libstdc++/libgcc, and nothing in it needs ICU.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build /app .
USER app
# HTTP/WebSocket 8080 (behind the ALB); silo 11111 and Orleans gateway 30000, open only between the cluster's tasks.
EXPOSE 8080 11111 30000
ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=true
ENTRYPOINT ["dotnet", "AncOrleans.Gateway.dll"]
