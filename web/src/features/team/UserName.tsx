import { useQuery } from 'urql';
import { graphql } from '../../gql';

const UserNameDocument = graphql(`
  query UserName($id: ID!) {
    user(id: $id) {
      id
      name
      email
    }
  }
`);

/** A person's name where only their id was recorded (each id is fetched once: the cache keeps User entities). */
export function UserName({ id, you }: { id: string; you?: string | null }) {
  const [{ data }] = useQuery({ query: UserNameDocument, variables: { id }, pause: id === you });
  if (id === you) return <>You</>;
  const user = data?.user;
  if (!user) return <span className="muted">someone</span>;
  return <span title={user.email}>{user.name}</span>;
}
