@description('Service Bus namespace name.')
param name string

param location string
param tags object

@description('Allow SAS (shared access keys) on the namespace, for an ERP that cannot use Entra ID. Off by default.')
param erpUsesSas bool

@description('Name of the silo managed identity, in this resource group.')
param siloIdentityName string

@description('Name of the bridge (Retail.Functions) managed identity, in this resource group.')
param functionsIdentityName string

@description('Entra principal (service principal or managed identity) of the ERP; empty when the ERP uses SAS or is granted access elsewhere.')
param erpPrincipalId string

resource siloIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: siloIdentityName
}

resource functionsIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: functionsIdentityName
}

var inboundQueueName = 'erp-inbound'
var outboundQueueName = 'erp-outbound'

var dataSenderRoleId = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39')
var dataReceiverRoleId = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0')
var dataOwnerRoleId = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '090c5cfd-751d-490a-894a-3ce6f1109419')

// Sessions and duplicate detection need the Standard tier.
resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: !erpUsesSas
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

// Per-subject FIFO (session = orderId or sku@location), dedupe on message-id, dead-letter after 10 deliveries.
var queueProperties = {
  requiresSession: true
  requiresDuplicateDetection: true
  duplicateDetectionHistoryTimeWindow: 'PT1H'
  maxDeliveryCount: 10
  deadLetteringOnMessageExpiration: true
  lockDuration: 'PT1M'
  defaultMessageTimeToLive: 'P14D'
}

resource inbound 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: inboundQueueName
  properties: queueProperties
}

resource outbound 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: outboundQueueName
  properties: queueProperties
}

// Queue-level SAS rules for a SAS-only ERP: it may send to erp-inbound and listen on erp-outbound, nothing else.
resource erpInboundSender 'Microsoft.ServiceBus/namespaces/queues/authorizationRules@2024-01-01' = if (erpUsesSas) {
  parent: inbound
  name: 'erp-send'
  properties: {
    rights: [
      'Send'
    ]
  }
}

resource erpOutboundListener 'Microsoft.ServiceBus/namespaces/queues/authorizationRules@2024-01-01' = if (erpUsesSas) {
  parent: outbound
  name: 'erp-listen'
  properties: {
    rights: [
      'Listen'
    ]
  }
}

// Azure Service Bus Data Sender: the silo's outbox posts ERP messages to erp-outbound.
resource siloSendsOutbound 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(outbound.id, siloIdentity.id, dataSenderRoleId)
  scope: outbound
  properties: {
    roleDefinitionId: dataSenderRoleId
    principalId: siloIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Azure Service Bus Data Sender: retrying an exception re-sends its dead-lettered ERP message to erp-inbound.
resource siloSendsInbound 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(inbound.id, siloIdentity.id, dataSenderRoleId)
  scope: inbound
  properties: {
    roleDefinitionId: dataSenderRoleId
    principalId: siloIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Azure Service Bus Data Receiver: the bridge consumes erp-inbound (complete, abandon, dead-letter).
resource functionsReceivesInbound 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(inbound.id, functionsIdentity.id, dataReceiverRoleId)
  scope: inbound
  properties: {
    roleDefinitionId: dataReceiverRoleId
    principalId: functionsIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Azure Service Bus Data Owner on erp-inbound only: the KEDA scaler reads the queue's message count
// as the bridge identity, and that read needs the Manage right, which no narrower built-in role grants.
resource functionsScalesOnInbound 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(inbound.id, functionsIdentity.id, dataOwnerRoleId)
  scope: inbound
  properties: {
    roleDefinitionId: dataOwnerRoleId
    principalId: functionsIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Azure Service Bus Data Sender: the ERP posts its messages to erp-inbound.
resource erpSendsInbound 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(erpPrincipalId)) {
  name: guid(inbound.id, erpPrincipalId, dataSenderRoleId)
  scope: inbound
  properties: {
    roleDefinitionId: dataSenderRoleId
    principalId: erpPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Azure Service Bus Data Receiver: the ERP consumes erp-outbound.
resource erpReceivesOutbound 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(erpPrincipalId)) {
  name: guid(outbound.id, erpPrincipalId, dataReceiverRoleId)
  scope: outbound
  properties: {
    roleDefinitionId: dataReceiverRoleId
    principalId: erpPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output name string = namespace.name
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
output inboundQueueName string = inbound.name
output outboundQueueName string = outbound.name
