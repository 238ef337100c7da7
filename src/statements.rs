//! `createStatement`, written by hand: progenitor cannot generate multipart uploads. It goes
//! through the same hooks as generated calls (token, tracing; no retry, since the body streams).

use bytes::Bytes;
use reqwest::multipart::{Form, Part};

use crate::{Client, Error, types};

const OPERATION: &str = "create_statement";

/// A bank statement (PDF or CSV) to upload with [`Client::create_statement`].
#[derive(Clone, Debug)]
pub struct StatementFile {
    file_name: String,
    content_type: String,
    bytes: Bytes,
}

impl StatementFile {
    /// A PDF statement.
    pub fn pdf(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        Self::new(file_name, "application/pdf", bytes)
    }

    /// A CSV statement.
    pub fn csv(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        Self::new(file_name, "text/csv", bytes)
    }

    /// A statement with an explicit media type.
    pub fn new(file_name: impl Into<String>, content_type: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        Self { file_name: file_name.into(), content_type: content_type.into(), bytes: bytes.into() }
    }
}

impl Client {
    /// Uploads a statement for `user_id` (operation `createStatement`); Basiq answers with the job that parses it.
    pub async fn create_statement(
        &self,
        user_id: &str,
        institution_id: &str,
        file: StatementFile,
    ) -> Result<types::JobReference, Error> {
        if user_id.is_empty() || institution_id.is_empty() {
            return Err(Error::InvalidInput("create_statement needs a user id and an institution id".into()));
        }
        let part = Part::bytes(file.bytes.to_vec())
            .file_name(file.file_name)
            .mime_str(&file.content_type)
            .map_err(|_| Error::InvalidInput(format!("{:?} is not a media type", file.content_type)))?;
        let form = Form::new().text("institutionId", institution_id.to_owned()).part("statement", part);
        let url = format!("{}/users/{}/statements", self.baseurl, progenitor_client::encode_path(user_id));
        let request = self
            .client
            .post(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .multipart(form)
            .build()
            .map_err(|e| Error::InvalidInput(format!("cannot build the upload: {e}")))?;
        crate::hooks::send_json(self, request, OPERATION).await
    }
}
