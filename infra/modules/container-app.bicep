@description('Container app name.')
param name string

@description('Service name in azure.yaml; azd finds the app by this tag.')
param serviceName string

param location string
param tags object

@description('Container Apps environment id.')
param environmentId string

@description('Resource id of the app\'s user-assigned identity: it pulls the image and is the app\'s only identity.')
param identityId string

@description('Login server of the registry the image is pulled from.')
param registryServer string

@description('True once azd has deployed an image: provisioning again keeps that image instead of the placeholder.')
param exists bool

@description('Environment variables shared by every Orleans process; plain values, no secret.')
param sharedEnv EnvironmentVariable[]

@description('Environment variables of this app; plain values, no secret.')
param env EnvironmentVariable[]

@description('Ingress of the app.')
param ingress object

@description('Replica range and scale rules.')
param scale object

@description('Health probes.')
param probes array

param cpu string
param memory string

@description('Kind of the app: \'functionapp\' runs it as Azure Functions on Container Apps; empty for a plain container app.')
param kind string = ''

type EnvironmentVariable = {
  name: string
  value: string
}

var placeholderImage = 'mcr.microsoft.com/azuredocs/containerapps-helloworld:latest'

resource existingApp 'Microsoft.App/containerApps@2025-07-01' existing = if (exists) {
  name: name
}

resource app 'Microsoft.App/containerApps@2025-07-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: empty(kind) ? null : kind
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environmentId
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: ingress
      registries: [
        {
          server: registryServer
          identity: identityId
        }
      ]
    }
    template: {
      containers: [
        {
          name: serviceName
          image: exists ? existingApp!.properties.template.containers[0].image : placeholderImage
          env: concat(sharedEnv, env)
          resources: {
            cpu: json(cpu)
            memory: memory
          }
          probes: probes
        }
      ]
      scale: scale
    }
  }
}

output name string = app.name
output fqdn string = app.properties.configuration.ingress.fqdn
