# The worker silo image (Orleans only, no HTTP). Build from the repository root:
#   docker build -f infra/docker/silo.Dockerfile -t anc-silo .
# Not built on our machines (no container engine runs there, no base image can be pulled); CI runs the same
# build step (infra/docker/build.sh).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN infra/docker/build.sh silo /app

# The .NET runtime without ASP.NET, chiseled: no shell, non-root "app" user (UID 1654).
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build /app .
USER app
# Silo 11111 and Orleans gateway 30000, open only between the cluster's tasks.
EXPOSE 11111 30000
ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=true
ENTRYPOINT ["dotnet", "AncOrleans.Silo.dll"]
