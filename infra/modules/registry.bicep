@description('Container registry name (alphanumeric).')
param name string

param location string
param tags object

@description('Names of the app identities (in this resource group) that pull images.')
param pullIdentityNames string[]

var acrPullRoleId = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '7f951dda-4ed3-4680-a7ca-43fe172d538d')

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Basic'
  }
  properties: {
    adminUserEnabled: false
    publicNetworkAccess: 'Enabled'
  }
}

// AcrPull for each app identity: the apps pull their images with their own identity, no registry password.
resource pullIdentities 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = [
  for identityName in pullIdentityNames: {
    name: identityName
  }
]

resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (identityName, i) in pullIdentityNames: {
    name: guid(registry.id, pullIdentities[i].id, acrPullRoleId)
    scope: registry
    properties: {
      roleDefinitionId: acrPullRoleId
      principalId: pullIdentities[i].properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

output name string = registry.name
output loginServer string = registry.properties.loginServer
