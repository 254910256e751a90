export * from '../notes.js';
