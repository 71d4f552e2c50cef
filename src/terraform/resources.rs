//! A project's resource specs, each shared: the store's spec source hands out the very allocation
//! it read a row into for as long as the row is unchanged, so an approval in a 1,000-resource
//! project copies no spec, and the generator's memos know an unchanged resource by its address
//! instead of comparing it field by field. Changing a resource through this list copies it first
//! (`Arc::make_mut`), so a shared spec is never changed under anyone who holds it.

use std::sync::Arc;

use super::model::ResourceSpec;

/// The resources of a [`ProjectSpec`](super::ProjectSpec), in any order (rendering sorts them).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resources(Vec<Arc<ResourceSpec>>);

impl Resources {
    /// The shared specs, for memos that know a resource by its allocation.
    pub fn shared(&self) -> &[Arc<ResourceSpec>] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &ResourceSpec> + ExactSizeIterator {
        self.0.iter().map(|r| &**r)
    }

    /// Each spec to change, each copied first when it is shared (to change one, [`Self::find_mut`]).
    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut ResourceSpec> + ExactSizeIterator {
        self.0.iter_mut().map(Arc::make_mut)
    }

    /// The first spec `wanted` picks, to change: only that one is copied when it is shared.
    pub fn find_mut(&mut self, wanted: impl Fn(&ResourceSpec) -> bool) -> Option<&mut ResourceSpec> {
        self.0.iter_mut().find(|r| wanted(r)).map(Arc::make_mut)
    }

    pub fn push(&mut self, spec: ResourceSpec) {
        self.0.push(Arc::new(spec));
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&ResourceSpec) -> bool) {
        self.0.retain(|r| keep(r));
    }

    pub fn reverse(&mut self) {
        self.0.reverse();
    }
}

impl std::ops::Index<usize> for Resources {
    type Output = ResourceSpec;

    fn index(&self, i: usize) -> &ResourceSpec {
        &self.0[i]
    }
}

impl std::ops::IndexMut<usize> for Resources {
    /// The spec to change, copied first when it is shared.
    fn index_mut(&mut self, i: usize) -> &mut ResourceSpec {
        Arc::make_mut(&mut self.0[i])
    }
}

impl From<Vec<ResourceSpec>> for Resources {
    fn from(specs: Vec<ResourceSpec>) -> Self {
        specs.into_iter().collect()
    }
}

impl FromIterator<ResourceSpec> for Resources {
    fn from_iter<I: IntoIterator<Item = ResourceSpec>>(specs: I) -> Self {
        Resources(specs.into_iter().map(Arc::new).collect())
    }
}

impl FromIterator<Arc<ResourceSpec>> for Resources {
    fn from_iter<I: IntoIterator<Item = Arc<ResourceSpec>>>(specs: I) -> Self {
        Resources(specs.into_iter().collect())
    }
}

impl Extend<ResourceSpec> for Resources {
    fn extend<I: IntoIterator<Item = ResourceSpec>>(&mut self, specs: I) {
        self.0.extend(specs.into_iter().map(Arc::new));
    }
}

impl IntoIterator for Resources {
    type Item = ResourceSpec;
    type IntoIter = std::iter::Map<std::vec::IntoIter<Arc<ResourceSpec>>, fn(Arc<ResourceSpec>) -> ResourceSpec>;

    /// Each spec by value (copied when something else still shares it).
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter().map(Arc::unwrap_or_clone)
    }
}

impl<'a> IntoIterator for &'a Resources {
    type Item = &'a ResourceSpec;
    type IntoIter = std::iter::Map<std::slice::Iter<'a, Arc<ResourceSpec>>, fn(&Arc<ResourceSpec>) -> &ResourceSpec>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|r| &**r)
    }
}

impl<'a> IntoIterator for &'a mut Resources {
    type Item = &'a mut ResourceSpec;
    type IntoIter =
        std::iter::Map<std::slice::IterMut<'a, Arc<ResourceSpec>>, fn(&mut Arc<ResourceSpec>) -> &mut ResourceSpec>;

    /// Each spec to change, copied first when it is shared.
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter_mut().map(Arc::make_mut)
    }
}
