@description('Event Hubs namespace name.')
param name string

param location string
param tags object

@description('Name of the silo managed identity, in this resource group.')
param siloIdentityName string

resource siloIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: siloIdentityName
}

var eventHubsDataSenderRoleId = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '2b629674-e913-4c01-ae53-ef4638d8f975')

// Standard: every downstream system reads the stream through its own consumer group.
resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
    capacity: 1
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource hub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: namespace
  name: 'retail-events'
  properties: {
    partitionCount: 4
    messageRetentionInDays: 7
  }
}

// Azure Event Hubs Data Sender: the silo's outbox publishes CloudEvents to retail-events.
resource siloSendsEvents 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hub.id, siloIdentity.id, eventHubsDataSenderRoleId)
  scope: hub
  properties: {
    roleDefinitionId: eventHubsDataSenderRoleId
    principalId: siloIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

output name string = namespace.name
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
output eventHubName string = hub.name
