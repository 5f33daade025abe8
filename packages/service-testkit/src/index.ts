export { MessagingPeer, type MessagingPeerOptions, type PeerMessage } from './messaging-peer.js';
export { privateTopics } from './private-topics.js';
