//! The usual cast: a board with its moderator and two joined participants.

use super::client::Client;
use super::server::{Board, Server};

/// A board with its moderator and two joined participants, Alice and Bob,
/// each connected and synced: the cast of the authorization tests.
pub struct Party {
    pub server: Server,
    pub board: Board,
    pub moderator: Client,
    pub alice: Client,
    pub alice_id: String,
    pub alice_token: String,
    pub bob: Client,
    pub bob_id: String,
    pub bob_token: String,
}

pub async fn party(title: &str) -> Party {
    let server = Server::start(&[]).await;
    let board = server.create_board(title).await;
    let (alice_id, alice_token) = server.join(&board, "Alice").await;
    let (bob_id, bob_token) = server.join(&board, "Bob").await;
    let moderator = Client::connect(&server, &board.id, &board.moderator_token).await;
    let alice = Client::connect(&server, &board.id, &alice_token).await;
    let bob = Client::connect(&server, &board.id, &bob_token).await;
    Party {
        server,
        board,
        moderator,
        alice,
        alice_id,
        alice_token,
        bob,
        bob_id,
        bob_token,
    }
}
